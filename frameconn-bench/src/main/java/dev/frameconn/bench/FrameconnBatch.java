package dev.frameconn.bench;

import dev.frameconn.FrameConn;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The one place where the benchmark hands frameconn a batch of frames. The
 * batch is {@code payloads[0..count)}, all of type {@code type}; when the call
 * returns, every frame of it is with the operating system.
 */
final class FrameconnBatch {
    private FrameconnBatch() {}

    /** Writes {@code count} frames of type {@code type}, payloads in order. */
    static void write(FrameConn conn, int type, ByteBuffer[] payloads, int count) throws IOException {
        // TODO(lead): switch to FrameConn batch API
        for (int i = 0; i < count; i++) {
            conn.writeFrame(type, payloads[i]);
        }
    }
}
