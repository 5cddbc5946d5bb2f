package dev.frameconn.tls;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.internal.Sockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Connects to a {@link TlsFrameServer} (or zrepl's TLS transport): TCP, then
 * the TLS handshake with mutual authentication, then frames.
 *
 * <h2>How TLS changes the guarantees of {@link FrameConn}</h2>
 * None is lost. Reads return as soon as a record has been decrypted (with any
 * further records that had arrived whole and fit the destination); writes
 * encrypt header and payload together, at most eight records (128 KiB) per system
 * call, which is the unit of progress for the idle timeout. The shutdown
 * handshake's half-close sends TLS close_notify and then TCP FIN:
 * <ul>
 *   <li><b>TLS 1.3</b> (the default): close_notify closes only the sender's
 *       direction, exactly like FIN: the side that shut down keeps reading until
 *       the peer shuts down too.</li>
 *   <li><b>TLS 1.2</b> (only if configured): close_notify closes the session
 *       both ways. The shutdown handshake still completes cleanly, because each
 *       side sends its RST frame before its close_notify and stops writing after
 *       reading the peer's RST. A side that receives close_notify answers with
 *       its own at once; its writes from then on fail with an {@link IOException}
 *       that says TLS 1.2 has no half-close.</li>
 * </ul>
 * {@link FrameConn#close()} closes the socket without close_notify, as a TCP
 * close sends FIN only; like Go's crypto/tls, the peer takes a TCP end of
 * stream between records as end of stream.
 */
public final class TlsFrameConn {
    private TlsFrameConn() {}

    /**
     * Connects over TCP within {@link FrameConnConfig#connectTimeout()}, then
     * runs the TLS handshake within {@link TlsConfig#handshakeTimeout()}: this
     * side proves its identity with its certificate, and checks that the
     * server's leads to a trusted CA and (unless switched off) was issued for
     * the host of {@code address}, or {@link TlsConfig#serverName()}.
     *
     * @param address the server's TCP address
     * @param tls this side's identity and trust
     * @param config the framed connection's configuration
     * @return the connection, with the peer's identity
     * @throws TlsHandshakeException if the handshake fails; its reason says why
     * @throws UnknownHostException if the host does not resolve
     * @throws IOException if the TCP connection fails
     */
    public static TlsConnection connect(InetSocketAddress address, TlsConfig tls, FrameConnConfig config)
            throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(config, "config");
        if (address.isUnresolved()) {
            throw new UnknownHostException("cannot resolve host=" + address.getHostString());
        }
        String serverName = tls.serverName() != null ? tls.serverName() : address.getHostString();
        SSLEngine engine = clientEngine(tls.newSslContext(), tls, serverName, address.getPort());
        SocketChannel channel = Sockets.connectTcp(address, config); // core's connect-with-timeout, not a copy
        return establish(channel, engine, tls, config);
    }

    static SSLEngine clientEngine(SSLContext context, TlsConfig tls, String serverName, int port) {
        SSLEngine engine = context.createSSLEngine(serverName, port);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(tls.protocols().toArray(new String[0]));
        params.setEndpointIdentificationAlgorithm(tls.verifyHostname() ? "HTTPS" : null);
        params.setCipherSuites(preferAes128Gcm(params.getCipherSuites()));
        engine.setSSLParameters(params);
        return engine;
    }

    static SSLEngine serverEngine(SSLContext context, TlsConfig tls) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(tls.protocols().toArray(new String[0]));
        params.setNeedClientAuth(true);
        params.setCipherSuites(preferAes128Gcm(params.getCipherSuites()));
        params.setUseCipherSuitesOrder(true); // the JDK's default already; our order is the point
        engine.setSSLParameters(params);
        return engine;
    }

    /** The TLS 1.3 suite put first by {@link #preferAes128Gcm}. */
    static final String AES_128_GCM = "TLS_AES_128_GCM_SHA256";

    /**
     * The engine's enabled suites with {@value #AES_128_GCM} moved to the front,
     * the rest in the JDK's order; nothing is added or removed. The JDK puts
     * TLS_AES_256_GCM_SHA384 first, whose four extra AES rounds cost about a
     * third more per byte of bulk data; Go's crypto/tls (zrepl's side) puts
     * AES-128-GCM first on CPUs with AES instructions, and AES-128-GCM is the
     * suite every TLS 1.3 implementation must support (RFC 8446 §9.1). In
     * TLS 1.3 the server chooses: a JDK server with this order picks it when the
     * client offers it, a Go server picks it by its own order.
     */
    static String[] preferAes128Gcm(String[] enabled) {
        String[] ordered = new String[enabled.length];
        int n = 0;
        for (String suite : enabled) {
            if (suite.equals(AES_128_GCM)) {
                ordered[n++] = suite;
            }
        }
        for (String suite : enabled) {
            if (!suite.equals(AES_128_GCM)) {
                ordered[n++] = suite;
            }
        }
        return ordered;
    }

    /** Handshakes over a connected channel; closes the channel on any failure. */
    static TlsConnection establish(SocketChannel channel, SSLEngine engine, TlsConfig tls, FrameConnConfig config)
            throws IOException {
        TlsTransport transport = new TlsTransport(channel, engine);
        return establish(transport, tls, config);
    }

    static TlsConnection establish(TlsTransport transport, TlsConfig tls, FrameConnConfig config)
            throws IOException {
        transport.handshake(tls.handshakeTimeout()); // closes the socket itself when it fails
        try {
            SSLSession session = transport.engine().getSession();
            PeerIdentity identity;
            try {
                Certificate[] chain = session.getPeerCertificates();
                identity = PeerIdentity.of((X509Certificate) chain[0]);
            } catch (SSLPeerUnverifiedException | ClassCastException e) {
                throw new TlsHandshakeException(TlsHandshakeException.Reason.FAILED, transport.remoteAddress(),
                        "the peer is not authenticated by an X.509 certificate", e);
            }
            return new TlsConnection(FrameConn.over(transport, config), transport, identity,
                    session.getProtocol(), session.getCipherSuite());
        } catch (IOException | RuntimeException | Error e) {
            transport.abort(); // nobody else holds the socket: whatever failed after the handshake must not leak it
            throw e;
        }
    }
}
