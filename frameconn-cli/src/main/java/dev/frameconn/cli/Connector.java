package dev.frameconn.cli;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.tls.TlsConfig;
import dev.frameconn.tls.TlsFrameConn;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * How {@code frames send} and {@code send} connect, the counterpart of
 * {@link Listener}: plainly, or over TLS 1.3 with mutual authentication. Either
 * way the result is a {@link FrameConn}; over TLS it is the one inside the TLS
 * connection, which the heartbeat and stream layers wrap as they would a plain one.
 */
final class Connector {
    private Connector() {}

    /**
     * Connects to {@code address} as {@link Addresses#parse} gave it, looking
     * the host up now, with TLS if {@code tls} is not null.
     *
     * @throws java.net.UnknownHostException if the host name is unknown
     * @throws dev.frameconn.tls.TlsHandshakeException if the TLS handshake failed
     * @throws IOException if the connection failed (refused, timed out)
     * @throws IllegalArgumentException for TLS to a Unix domain socket
     */
    static FrameConn connect(SocketAddress address, FrameConnConfig config, TlsConfig tls) throws IOException {
        SocketAddress to = Addresses.resolve(address);
        if (tls == null) {
            return FrameConn.connect(to, config);
        }
        if (!(to instanceof InetSocketAddress inet)) {
            throw new IllegalArgumentException("TLS needs a HOST:PORT address, not " + Addresses.format(address));
        }
        return TlsFrameConn.connect(inet, tls, config).conn();
    }
}
