package dev.frameconn.bench.jmh;

import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * A transport whose writes take every byte at once and drop it, and whose
 * reads see end of stream: the cost of writing a frame with no I/O at all.
 */
public final class DiscardTransport implements Transport {
    private volatile boolean open = true;
    private long written;

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        return -1;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen();
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
            srcs[i].position(srcs[i].limit());
        }
        written += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int n = src.remaining();
        src.position(src.limit());
        written += n;
        return n;
    }

    /** Bytes taken so far (read by the writing thread only). */
    public long written() {
        return written;
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
