package dev.frameconn.cli;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.tls.PeerIdentity;
import dev.frameconn.tls.TlsConfig;
import dev.frameconn.tls.TlsConnection;
import dev.frameconn.tls.TlsFrameServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What {@code frames listen} and {@code recv} accept from: a plain {@link FrameServer}, or a
 * {@link TlsFrameServer} whose connections come with the client's verified
 * identity. A TLS client whose handshake failed makes {@link #accept()} throw
 * {@link dev.frameconn.tls.TlsHandshakeException}, and the listener goes on.
 */
final class Listener implements AutoCloseable {
    /** One accepted connection; {@code client} is null without TLS. */
    record Accepted(FrameConn conn, PeerIdentity client) {}

    private final FrameServer plain;
    private final TlsFrameServer tls;

    private Listener(FrameServer plain, TlsFrameServer tls) {
        this.plain = plain;
        this.tls = tls;
    }

    /**
     * Listens on {@code address}, with TLS if {@code tlsConfig} is not null.
     *
     * @throws IllegalArgumentException for TLS on a Unix domain socket
     */
    static Listener bind(SocketAddress address, FrameConnConfig config, TlsConfig tlsConfig) throws IOException {
        if (tlsConfig == null) {
            return new Listener(FrameServer.bind(address, config), null);
        }
        if (!(address instanceof InetSocketAddress inet)) {
            throw new IllegalArgumentException("TLS needs a HOST:PORT address, not " + Addresses.format(address));
        }
        return new Listener(null, TlsFrameServer.bind(inet, tlsConfig, config));
    }

    Accepted accept() throws IOException {
        if (tls == null) {
            return new Accepted(plain.accept(), null);
        }
        TlsConnection c = tls.accept();
        return new Accepted(c.conn(), c.peerIdentity());
    }

    SocketAddress localAddress() {
        return tls == null ? plain.localAddress() : tls.localAddress();
    }

    @Override
    public void close() throws IOException {
        if (tls == null) {
            plain.close();
        } else {
            tls.close();
        }
    }
}
