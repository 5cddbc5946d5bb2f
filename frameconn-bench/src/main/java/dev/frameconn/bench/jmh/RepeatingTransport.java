package dev.frameconn.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A transport whose reads serve a pre-encoded byte pattern over and over, as
 * fast as memory copies, filling the reader's buffer each time; writes are
 * dropped. With a pattern of whole frames, a reader sees an endless stream of
 * them: the cost of reading a frame with no I/O at all.
 */
public final class RepeatingTransport extends NoIoTransport {
    private final ByteBuffer pattern;
    private int offset;

    /** Serves {@code pattern}'s bytes from its position to its limit, repeated; the buffer is not changed. */
    public RepeatingTransport(ByteBuffer pattern) {
        if (!pattern.hasRemaining()) {
            throw new IllegalArgumentException("pattern.remaining()=0 must be > 0");
        }
        this.pattern = pattern.slice();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        int total = 0;
        int size = pattern.limit();
        while (dst.hasRemaining()) {
            int n = Math.min(dst.remaining(), size - offset);
            dst.put(dst.position(), pattern, offset, n);
            dst.position(dst.position() + n);
            offset = offset + n == size ? 0 : offset + n;
            total += n;
        }
        return total;
    }
}
