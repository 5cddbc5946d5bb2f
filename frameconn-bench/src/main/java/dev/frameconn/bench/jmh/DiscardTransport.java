package dev.frameconn.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A transport whose writes take every byte at once and drop it, and whose
 * reads see end of stream: the cost of writing a frame with no I/O at all.
 */
public final class DiscardTransport extends NoIoTransport {
    private long written;

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        return -1;
    }

    @Override
    void onWritten(long n) {
        written += n;
    }

    /** Bytes taken so far (read by the writing thread only). */
    public long written() {
        return written;
    }
}
