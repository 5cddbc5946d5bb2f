package dev.frameconn.tls;

import dev.frameconn.FrameConn;
import java.util.Objects;

/**
 * A framed connection over TLS, with the verified identity of the peer.
 *
 * <p>{@link #conn()} is an ordinary {@link FrameConn}: every guarantee of it
 * holds over TLS (whole frames, idle timeouts, the shutdown handshake with a
 * real half-close, close waking blocked calls). Closing this closes it.
 *
 * <p>On a server, {@link #peerIdentity()} is the client's identity as its
 * certificate states it and the server's CA vouches for it; on a client, the
 * server's.
 */
public final class TlsConnection implements AutoCloseable {
    private final FrameConn conn;
    private final PeerIdentity peerIdentity;
    private final String protocol;
    private final String cipherSuite;
    private final TlsTransport transport;

    TlsConnection(FrameConn conn, TlsTransport transport, PeerIdentity peerIdentity, String protocol,
            String cipherSuite) {
        this.conn = Objects.requireNonNull(conn, "conn");
        this.transport = transport;
        this.peerIdentity = Objects.requireNonNull(peerIdentity, "peerIdentity");
        this.protocol = protocol;
        this.cipherSuite = cipherSuite;
    }

    /**
     * The framed connection: read, write, shut down and close it as any other.
     *
     * @return the framed connection
     */
    public FrameConn conn() {
        return conn;
    }

    /**
     * Who the peer proved to be.
     *
     * @return the peer's identity
     */
    public PeerIdentity peerIdentity() {
        return peerIdentity;
    }

    /**
     * The protocol version negotiated, {@code TLSv1.3} or {@code TLSv1.2}.
     *
     * @return the protocol version
     */
    public String protocol() {
        return protocol;
    }

    /**
     * The cipher suite negotiated, for example {@code TLS_AES_256_GCM_SHA384}.
     *
     * @return the cipher suite
     */
    public String cipherSuite() {
        return cipherSuite;
    }

    /** The transport under {@link #conn()}: for tests. */
    TlsTransport transport() {
        return transport;
    }

    /** Closes the connection at once; see {@link FrameConn#close()}. */
    @Override
    public void close() {
        conn.close();
    }

    @Override
    public String toString() {
        return "TlsConnection[" + conn + ", " + protocol + ", peer=" + peerIdentity + "]";
    }
}
