/**
 * frameconn over TLS: mutual authentication with X.509 certificates from PEM
 * files or a PKCS#12 keystore, built on {@link javax.net.ssl.SSLEngine} over a
 * blocking {@link java.nio.channels.SocketChannel}, keeping every guarantee of
 * {@code dev.frameconn.FrameConn}.
 */
module dev.frameconn.tls {
    requires transitive dev.frameconn;
    requires java.naming; // LdapName: the common name out of a distinguished name, RFC 4514 escapes included
    exports dev.frameconn.tls;
}
