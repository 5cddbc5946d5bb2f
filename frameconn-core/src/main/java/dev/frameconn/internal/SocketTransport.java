package dev.frameconn.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import dev.frameconn.transport.Transport;

/** A {@link Transport} over a blocking {@link SocketChannel}: TCP or Unix domain socket. */
public final class SocketTransport implements Transport {
    private final SocketChannel channel;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final ByteBuffer[] scatter = new ByteBuffer[2]; // the reader's only: reads are serialised
    private InputStream input; // the reader's only, made on first use: only for available()

    /**
     * Wraps a connected channel, puts it in blocking mode and, for TCP, switches
     * Nagle's algorithm off: frames are written whole, so delaying them only adds latency.
     */
    public SocketTransport(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(true);
        this.remote = channel.getRemoteAddress();
        this.local = channel.getLocalAddress();
        if (!(remote instanceof UnixDomainSocketAddress)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    /**
     * The bytes in the socket's receive queue (ioctl FIONREAD), read through the
     * channel's socket adaptor: the one non-blocking look at a blocking channel
     * that leaves its mode alone (switching it would disturb the writer).
     */
    @Override
    public int available() throws IOException {
        InputStream in = input;
        if (in == null) {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            try {
                in = channel.socket().getInputStream();
            } catch (SocketException e) {
                if (!channel.isOpen()) {
                    throw new ClosedChannelException(); // closed since the look above
                }
                throw e;
            }
            input = in;
        }
        return in.available();
    }

    @Override
    public long read(ByteBuffer first, ByteBuffer second) throws IOException {
        scatter[0] = first;
        scatter[1] = second;
        try {
            return channel.read(scatter, 0, 2);
        } finally {
            scatter[0] = null; // do not keep the payload reachable
            scatter[1] = null;
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return channel.write(srcs, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return channel.write(src);
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public void abort() {
        Sockets.abort(channel);
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }
}
