package dev.frameconn.bench;

import dev.frameconn.FrameConn;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The one place where the benchmark hands frameconn a batch of frames: one
 * instance per sending thread and connection. When {@link #write} returns,
 * every frame of the batch has been accepted by the connection, in order.
 */
final class FrameconnBatch {
    private final FrameConn conn;

    FrameconnBatch(FrameConn conn) {
        this.conn = conn;
    }

    /** Writes {@code payloads[0..count)} as frames of type {@code type}, in order. */
    void write(int type, ByteBuffer[] payloads, int count) throws IOException {
        // TODO(lead): switch to FrameConn batch API
        for (int i = 0; i < count; i++) {
            conn.writeFrame(type, payloads[i]);
        }
    }
}
