package dev.frameconn.internal;

import dev.frameconn.FrameConnConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * The socket set-up and tear-down that every socket-based connection shares:
 * the plain one in {@code dev.frameconn} and the TLS one in
 * {@code dev.frameconn.tls} (which sees this package through a qualified
 * export), so that both connect and abort the same way.
 */
public final class Sockets {
    private Sockets() {}

    /**
     * A connected channel to a TCP ({@link #connectTcp}) or Unix domain socket
     * address, as {@code FrameConn.connect(SocketAddress, FrameConnConfig)}
     * describes; closed again if connecting fails.
     *
     * @param address a TCP or Unix domain socket address
     * @param config the connection's configuration
     * @return the connected channel, still in blocking mode
     * @throws IOException if the connection fails
     * @throws IllegalArgumentException if the address is of another kind
     */
    public static SocketChannel connect(SocketAddress address, FrameConnConfig config) throws IOException {
        if (address instanceof InetSocketAddress inet) {
            return connectTcp(inet, config);
        }
        if (!(address instanceof UnixDomainSocketAddress)) {
            throw new IllegalArgumentException("address=" + address + " is neither TCP nor a Unix domain socket");
        }
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(address);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
        return channel;
    }

    /**
     * Opens a TCP channel, applies {@link FrameConnConfig#socketBufferSize()}
     * (before connecting, so that the window scale fits it) and connects within
     * {@link FrameConnConfig#connectTimeout()}. On any failure the channel is
     * closed, so that nothing leaks.
     *
     * @param address the peer's address; must be resolved
     * @param config the connection's configuration
     * @return the connected channel, still in blocking mode
     * @throws UnknownHostException if {@code address} is unresolved
     * @throws IOException if the connection is refused or times out
     *         ({@link java.net.SocketTimeoutException})
     */
    public static SocketChannel connectTcp(InetSocketAddress address, FrameConnConfig config) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(config, "config");
        if (address.isUnresolved()) {
            throw new UnknownHostException("cannot resolve host=" + address.getHostString());
        }
        SocketChannel channel = SocketChannel.open();
        try {
            config.applySocketBuffers(channel);
            // SocketChannel.connect has no timeout; its socket adaptor's connect has one (0 = none)
            channel.socket().connect(address, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
        return channel;
    }

    /**
     * Closes {@code channel} abortively: for TCP with SO_LINGER 0, so that the
     * close sends RST and drops unsent data instead of a graceful FIN (a Unix
     * domain socket is just closed: it has no RST). Best effort: never
     * throws. A thread blocked on the channel wakes with an
     * {@link java.nio.channels.AsynchronousCloseException}.
     *
     * @param channel the channel to abort
     */
    public static void abort(SocketChannel channel) {
        try {
            // only TCP channels have TCP_NODELAY: the way to tell them from Unix domain ones after the fact
            if (channel.isOpen() && channel.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException ignored) {
            // the channel may be closing already; the close below is what matters
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // abort is best effort by contract
        }
    }

    /**
     * Closes {@code channel} after {@code cause}, keeping a failure of the
     * close as suppressed by {@code cause}.
     *
     * @param channel the channel to close (a connection or a listener)
     * @param cause the failure that makes the channel useless
     */
    public static void closeQuietly(Channel channel, Exception cause) {
        try {
            channel.close();
        } catch (IOException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
