package dev.frameconn.bench;

import dev.frameconn.tls.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The key material of the tls workload, made at start-up (a CA, a server and
 * a client certificate, EC P-256; nothing secret is shipped), and the same
 * TLS set-up for both contenders: TLS 1.3, mutual authentication, host name
 * checked, the JDK's provider and one cipher suite order (the JDK's, with
 * TLS_AES_128_GCM_SHA256 first, as frameconn-tls orders it), so that both
 * negotiate the same suite.
 */
final class BenchTls {
    /** The suite both contenders put first. */
    static final String AES_128_GCM = "TLS_AES_128_GCM_SHA256";

    /** The host name both clients verify (the server certificate carries it and 127.0.0.1). */
    static final String HOST = "localhost";

    final TlsConfig frameconnServer;
    final TlsConfig frameconnClient;
    final SslContext nettyServer;
    final SslContext nettyClient;
    /** CA, server and client: certificate first, then its key (null for the CA's, which only signs). */
    private final X509Certificate ca;
    private final X509Certificate server;
    private final PrivateKey serverKey;
    private final X509Certificate client;
    private final PrivateKey clientKey;

    private BenchTls(TlsConfig frameconnServer, TlsConfig frameconnClient, SslContext nettyServer,
            SslContext nettyClient, X509Certificate ca, X509Certificate server, PrivateKey serverKey,
            X509Certificate client, PrivateKey clientKey) {
        this.frameconnServer = frameconnServer;
        this.frameconnClient = frameconnClient;
        this.nettyServer = nettyServer;
        this.nettyClient = nettyClient;
        this.ca = ca;
        this.server = server;
        this.serverKey = serverKey;
        this.client = client;
        this.clientKey = clientKey;
    }

    /** The PEM files {@link #writePem} wrote: what {@code frameconn --tls-*} and socat's cert/key/cafile read. */
    record PemFiles(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {}

    /**
     * Writes the CA certificate and the server's and client's certificate and
     * key into {@code dir} as PEM: certificates "BEGIN CERTIFICATE", keys
     * unencrypted PKCS#8 "BEGIN PRIVATE KEY" (owner-only), which both
     * frameconn's {@code --tls-key} and OpenSSL read.
     */
    PemFiles writePem(Path dir) throws IOException {
        try {
            PemFiles files = new PemFiles(dir.resolve("ca.pem"), dir.resolve("server.pem"),
                    dir.resolve("server.key"), dir.resolve("client.pem"), dir.resolve("client.key"));
            Files.writeString(files.ca(), pem("CERTIFICATE", ca.getEncoded()));
            Files.writeString(files.serverCert(), pem("CERTIFICATE", server.getEncoded()));
            Files.writeString(files.clientCert(), pem("CERTIFICATE", client.getEncoded()));
            writeKey(files.serverKey(), serverKey);
            writeKey(files.clientKey(), clientKey);
            return files;
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the bench certificates: " + e, e);
        }
    }

    private static void writeKey(Path file, PrivateKey key) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, pem("PRIVATE KEY", key.getEncoded())); // the JDK encodes private keys as PKCS#8
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    static BenchTls create() {
        try {
            KeyPair caKeys = ec();
            X509Certificate ca = issue("CN=bench CA", caKeys, "CN=bench CA", caKeys.getPrivate(), true);
            KeyPair serverKeys = ec();
            X509Certificate server = issue("CN=bench-server", serverKeys, "CN=bench CA", caKeys.getPrivate(), false);
            KeyPair clientKeys = ec();
            X509Certificate client = issue("CN=bench-client", clientKeys, "CN=bench CA", caKeys.getPrivate(), false);
            List<X509Certificate> trust = List.of(ca);
            List<String> protocols = List.of(TlsConfig.TLS_1_3);
            TlsConfig fcServer = new TlsConfig(List.of(server), serverKeys.getPrivate(), trust, protocols,
                    TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT, true, null, TlsConfig.DEFAULT_MAX_PENDING_HANDSHAKES);
            TlsConfig fcClient = new TlsConfig(List.of(client), clientKeys.getPrivate(), trust, protocols,
                    TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT, true, null, TlsConfig.DEFAULT_MAX_PENDING_HANDSHAKES);
            // frameconn-tls puts TLS_AES_128_GCM_SHA256 first (as Go's crypto/tls does on AES hardware);
            // Netty gets the same order, so that both negotiate the same suite
            List<String> jdkSuites = new java.util.ArrayList<>(
                    Arrays.asList(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites()));
            if (jdkSuites.remove(AES_128_GCM)) {
                jdkSuites.add(0, AES_128_GCM);
            }
            SslContext nettyServer = SslContextBuilder.forServer(serverKeys.getPrivate(), server)
                    .trustManager(ca).clientAuth(ClientAuth.REQUIRE).sslProvider(SslProvider.JDK)
                    .protocols(TlsConfig.TLS_1_3).ciphers(jdkSuites).build();
            SslContext nettyClient = SslContextBuilder.forClient()
                    .keyManager(clientKeys.getPrivate(), client).trustManager(ca).sslProvider(SslProvider.JDK)
                    .protocols(TlsConfig.TLS_1_3).ciphers(jdkSuites).endpointIdentificationAlgorithm("HTTPS")
                    .build();
            return new BenchTls(fcServer, fcClient, nettyServer, nettyClient, ca, server, serverKeys.getPrivate(),
                    client, clientKeys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the tls workload's certificates: " + e, e);
        }
    }

    private static X509Certificate issue(String subject, KeyPair keys, String issuer, PrivateKey signer, boolean ca)
            throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Principal(issuer),
                BigInteger.valueOf(now.toEpochMilli() + subject.hashCode()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), new X500Principal(subject), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (!ca) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, HOST), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
