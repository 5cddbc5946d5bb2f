/**
 * frameconn over TLS with mutual authentication, the way zrepl runs its data
 * connection between hosts.
 *
 * <pre>{@code
 * TlsConfig tls = TlsConfig.fromPem(Path.of("server.crt"), Path.of("server.key"), Path.of("ca.crt"));
 * try (TlsFrameServer server = TlsFrameServer.bind(new InetSocketAddress(7000), tls, FrameConnConfig.defaults())) {
 *     TlsConnection c = server.accept();            // handshake done, client verified
 *     String client = c.peerIdentity().commonName(); // who it is, as zrepl derives it
 *     try (Frame f = c.conn().readFrame()) { ... }
 *     c.conn().shutdown();
 * }
 *
 * TlsConfig mine = TlsConfig.fromPem(Path.of("client.crt"), Path.of("client.key"), Path.of("ca.crt"));
 * TlsConnection c = TlsFrameConn.connect(new InetSocketAddress("backup.example", 7000), mine,
 *         FrameConnConfig.defaults());
 * }</pre>
 *
 * <p>Every failure of a handshake is a {@link dev.frameconn.tls.TlsHandshakeException}
 * with a {@link dev.frameconn.tls.TlsHandshakeException.Reason}; after the
 * handshake, the connection is an ordinary {@link dev.frameconn.FrameConn}.
 * See {@link dev.frameconn.tls.TlsFrameConn} for how TLS 1.3 and TLS 1.2 close.
 */
package dev.frameconn.tls;
