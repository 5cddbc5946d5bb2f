package dev.frameconn.bench.jmh;

import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * A transport whose reads serve a pre-encoded byte pattern over and over, as
 * fast as memory copies, filling the reader's buffer each time; writes are
 * dropped. With a pattern of whole frames, a reader sees an endless stream of
 * them: the cost of reading a frame with no I/O at all.
 */
public final class RepeatingTransport implements Transport {
    private final ByteBuffer pattern;
    private int offset;
    private volatile boolean open = true;

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

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen();
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
            srcs[i].position(srcs[i].limit());
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int n = src.remaining();
        src.position(src.limit());
        return n;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public void abort() {
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public SocketAddress localAddress() {
        return null;
    }

    @Override
    public SocketAddress remoteAddress() {
        return null;
    }
}
