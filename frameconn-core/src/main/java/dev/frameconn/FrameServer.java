package dev.frameconn;

import dev.frameconn.internal.Sockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A listening socket (TCP or Unix domain) that accepts framed connections.
 *
 * <p>{@link #accept()} blocks until a peer connects; it may be called from
 * several threads. {@link #close()} stops listening, makes blocked
 * {@code accept} calls throw {@link java.nio.channels.AsynchronousCloseException},
 * and, for a Unix domain socket, deletes the socket file this server created.
 * Connections already accepted are independent of the server.
 */
public final class FrameServer implements AutoCloseable {
    /** Listen backlog: large enough for bursts of a thousand connects. */
    public static final int BACKLOG = 4096;

    private final ServerSocketChannel channel;
    private final FrameConnConfig config;
    private final Path unixPath;
    private final SocketAddress localAddress;

    private FrameServer(ServerSocketChannel channel, FrameConnConfig config, Path unixPath) throws IOException {
        this.channel = channel;
        this.config = config;
        this.unixPath = unixPath;
        this.localAddress = channel.getLocalAddress();
    }

    /**
     * Listens with the default configuration.
     *
     * @param address the address to listen on
     * @return the listening server
     * @throws IOException as {@link #bind(SocketAddress, FrameConnConfig)}
     */
    public static FrameServer bind(SocketAddress address) throws IOException {
        return bind(address, FrameConnConfig.defaults());
    }

    /**
     * Listens on a TCP address (port 0 picks a free port; see
     * {@link #localAddress()}) or a Unix domain socket path, which must not exist.
     * Accepted connections use {@code config}, including its
     * {@link FrameConnConfig#socketBufferSize()}.
     *
     * @param address a TCP address or a Unix domain socket path
     * @param config the configuration of accepted connections
     * @return the listening server
     * @throws IOException if the address is in use or cannot be bound
     */
    public static FrameServer bind(SocketAddress address, FrameConnConfig config) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(config, "config");
        ServerSocketChannel channel;
        Path unixPath = null;
        if (address instanceof UnixDomainSocketAddress unix) {
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            unixPath = unix.getPath();
        } else if (address instanceof InetSocketAddress) {
            channel = ServerSocketChannel.open();
        } else {
            throw new IllegalArgumentException("address=" + address + " is neither TCP nor a Unix domain socket");
        }
        try {
            if (unixPath == null) {
                config.applySocketBuffers(channel); // before listening: accepted sockets inherit it
            }
            channel.bind(address, BACKLOG);
            return new FrameServer(channel, config, unixPath);
        } catch (IOException | RuntimeException e) {
            Sockets.closeQuietly(channel, e);
            throw e;
        }
    }

    /**
     * Waits for the next peer and returns its connection.
     *
     * @return the peer's connection, owned by the caller
     * @throws IOException if accepting fails or the server is closed
     */
    public FrameConn accept() throws IOException {
        SocketChannel accepted = channel.accept();
        try {
            if (unixPath == null) {
                config.applySocketBuffers(accepted); // the send buffer is not inherited from the listener
            }
        } catch (IOException | RuntimeException e) {
            Sockets.closeQuietly(accepted, e);
            throw e;
        }
        return FrameConn.wrap(accepted, config);
    }

    /**
     * The address listened on, with the real port when 0 was asked for.
     *
     * @return the local address
     */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * True until closed.
     *
     * @return whether the server is open
     */
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Stops listening; deletes a Unix socket file this server created. Idempotent. */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            if (unixPath != null) {
                Files.deleteIfExists(unixPath);
            }
        }
    }

    @Override
    public String toString() {
        return "FrameServer[" + localAddress + (isOpen() ? "]" : ", closed]");
    }
}
