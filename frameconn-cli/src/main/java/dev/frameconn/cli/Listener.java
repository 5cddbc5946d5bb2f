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
import java.net.UnixDomainSocketAddress;

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
     * Listens on {@code address} as {@link Addresses#parse} gave it, with TLS
     * if {@code tlsConfig} is not null. The host is looked up now; for a Unix
     * domain socket, a socket file that a dead listener left behind is removed
     * first ({@link UnixSocketFiles#removeIfStale}), anything else at the path
     * is left alone.
     *
     * @throws java.net.UnknownHostException if the host name is unknown
     * @throws java.nio.file.FileAlreadyExistsException if the Unix socket path
     *         exists and is not a stale socket
     * @throws IOException if binding fails (address in use, no permission)
     * @throws IllegalArgumentException for TLS on a Unix domain socket
     */
    static Listener bind(SocketAddress address, FrameConnConfig config, TlsConfig tlsConfig) throws IOException {
        SocketAddress resolved = Addresses.resolve(address);
        if (resolved instanceof UnixDomainSocketAddress unix) {
            UnixSocketFiles.removeIfStale(unix.getPath());
        }
        if (tlsConfig == null) {
            return new Listener(FrameServer.bind(resolved, config), null);
        }
        if (!(resolved instanceof InetSocketAddress inet)) {
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
