package dev.frameconn.bench;

import dev.frameconn.FrameBatch;
import dev.frameconn.FrameConn;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The one place where the benchmark hands frameconn a batch of frames: one
 * instance per sending thread and connection, holding one reusable
 * {@link FrameBatch} (so a steady-state batch allocates nothing). When
 * {@link #write} returns, every frame of the batch has been handed to the
 * operating system, in order and contiguous.
 */
final class FrameconnBatch {
    private final FrameConn conn;
    private final FrameBatch batch = new FrameBatch(Wire.BATCH_FRAMES);

    FrameconnBatch(FrameConn conn) {
        this.conn = conn;
    }

    /**
     * Writes {@code payloads[0..count)} as frames of type {@code type}, in order.
     * The buffers must be distinct objects (views of one buffer are fine): the
     * core hands payloads over 8 KiB to gathering writes as they are, and a
     * partial write (usual on virtual threads under backpressure) then corrupts
     * the stream if one object fills two slots of that write.
     */
    void write(int type, ByteBuffer[] payloads, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            batch.add(type, payloads[i]);
        }
        try {
            conn.writeBatch(batch); // clears the batch on success
        } finally {
            // on failure writeBatch leaves the frames in; drop them so that no payload stays referenced
            batch.clear();
        }
    }
}
