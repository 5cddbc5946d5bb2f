package dev.frameconn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;

/** Opening the sockets of {@link FrameConn#connect} and closing half-made ones. */
final class Sockets {
    private Sockets() {}

    /**
     * A connected channel to a TCP or Unix domain socket address, as
     * {@link FrameConn#connect(SocketAddress, FrameConnConfig)} describes; closed again if connecting fails.
     */
    static SocketChannel connect(SocketAddress address, FrameConnConfig config) throws IOException {
        SocketChannel channel;
        if (address instanceof UnixDomainSocketAddress) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(address);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel, e);
                throw e;
            }
        } else if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                throw new UnknownHostException("cannot resolve host=" + inet.getHostString());
            }
            channel = SocketChannel.open();
            try {
                config.applySocketBuffers(channel);
                channel.socket().connect(inet, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel, e);
                throw e;
            }
        } else {
            throw new IllegalArgumentException("address=" + address + " is neither TCP nor a Unix domain socket");
        }
        return channel;
    }

    /** Closes {@code channel} after {@code cause} made it useless; a failure of the close is added to {@code cause}. */
    static void closeQuietly(Channel channel, Exception cause) {
        try {
            channel.close();
        } catch (IOException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
