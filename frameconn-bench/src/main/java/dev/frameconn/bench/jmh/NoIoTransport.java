package dev.frameconn.bench.jmh;

import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * What the benchmark transports without I/O share: writes take every byte at
 * once and drop it; close and abort only mark the transport closed, after
 * which every call throws {@link ClosedChannelException}; no addresses.
 */
abstract class NoIoTransport implements Transport {
    private volatile boolean open = true;

    /** Called with the bytes each write took (by the writing thread); nothing by default. */
    void onWritten(long n) {}

    final void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public final long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen();
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
            srcs[i].position(srcs[i].limit());
        }
        onWritten(n);
        return n;
    }

    @Override
    public final int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int n = src.remaining();
        src.position(src.limit());
        onWritten(n);
        return n;
    }

    @Override
    public final void shutdownOutput() throws IOException {
        ensureOpen();
    }

    @Override
    public final void close() {
        open = false;
    }

    @Override
    public final void abort() {
        open = false;
    }

    @Override
    public final boolean isOpen() {
        return open;
    }

    @Override
    public final SocketAddress localAddress() {
        return null;
    }

    @Override
    public final SocketAddress remoteAddress() {
        return null;
    }
}
