package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.Frame;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Key material as operators keep it (PEM in its usual forms, PKCS#12), and the checks on a configuration. */
class TlsConfigTest {
    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    private Path file(String name) throws IOException {
        return f.tempDir().resolve(name);
    }

    private Path caFile() throws IOException {
        return TestPki.writeCertificates(file("ca.pem"), TlsFixtures.PKI.ca.certificate());
    }

    @Test
    void pemWithPkcs8KeyConnectsBothWays() throws Exception {
        Path ca = caFile();
        TlsConfig server = TlsConfig.fromPem(TestPki.writeCertificates(file("server.crt"),
                TlsFixtures.SERVER.certificate()), TestPki.writePkcs8Key(file("server.key"), TlsFixtures.SERVER.keys()),
                ca);
        TlsConfig client = TlsConfig.fromPem(TestPki.writeCertificates(file("client.crt"),
                TlsFixtures.CLIENT.certificate()), TestPki.writePkcs8Key(file("client.key"), TlsFixtures.CLIENT.keys()),
                ca);
        assertThat(Files.readString(file("client.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        TlsFixtures.TlsPair p = f.tlsPair(client, server, f.config(), f.config());
        assertThat(p.server().peerIdentity().commonName()).isEqualTo("backup-client-1");
        p.client().conn().writeFrame(1, new byte[] {42});
        try (Frame frame = p.server().conn().readFrame()) {
            assertThat(frame.payload().get(0)).isEqualTo((byte) 42);
        }
    }

    @Test
    void traditionalEcKeyIsRead() throws Exception {
        Path key = TestPki.writeTraditionalKey(file("ec.key"), TlsFixtures.CLIENT.keys());
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        TlsConfig config = TlsConfig.fromPem(TestPki.writeCertificates(file("c.crt"), TlsFixtures.CLIENT.certificate()),
                key, caFile());
        assertThat(config.privateKey().getEncoded()).isEqualTo(TlsFixtures.CLIENT.keys().getPrivate().getEncoded());
    }

    @Test
    void openSslEcKeyWithNamedCurveIsRead() throws Exception {
        Path key = TestPki.writeOpenSslEcKey(file("openssl-ec.key"), TlsFixtures.CLIENT.keys());
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        // without a certificate to name the curve: the file's own curve must do
        java.security.interfaces.ECPrivateKey read = (java.security.interfaces.ECPrivateKey) Pem.privateKey(key, null);
        assertThat(read.getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) TlsFixtures.CLIENT.keys().getPrivate()).getS());
        assertThat(read.getParams().getCurve())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) TlsFixtures.CLIENT.keys().getPrivate())
                        .getParams().getCurve());
    }

    @Test
    void traditionalRsaKeyIsReadAndWorks() throws Exception {
        KeyPair rsa = TestPki.rsa();
        TestPki.Credential client = TlsFixtures.PKI.issue("rsa-client", List.of(), List.of(), TestPki.validNow(), rsa);
        Path key = TestPki.writeTraditionalKey(file("rsa.key"), rsa);
        assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        TlsConfig config = TlsConfig.fromPem(TestPki.writeCertificates(file("rsa.crt"), client.certificate()), key,
                caFile());
        assertThat(config.privateKey().getAlgorithm()).isEqualTo("RSA");
        TlsFixtures.TlsPair p = f.tlsPair(config, TlsFixtures.serverTls(), f.config(), f.config());
        assertThat(p.server().peerIdentity().commonName()).isEqualTo("rsa-client");
    }

    @Test
    void pkcs12KeystoreConnects() throws Exception {
        char[] password = "test-only".toCharArray();
        Path p12 = TestPki.writePkcs12(file("client.p12"), TlsFixtures.CLIENT, password);
        TlsConfig client = TlsConfig.fromPkcs12(p12, password, caFile());
        TlsFixtures.TlsPair p = f.tlsPair(client, TlsFixtures.serverTls(), f.config(), f.config());
        assertThat(p.server().peerIdentity().commonName()).isEqualTo("backup-client-1");
        assertThatThrownBy(() -> TlsConfig.fromPkcs12(p12, "wrong".toCharArray(), caFile()))
                .isInstanceOf(IOException.class).hasMessageContaining("client.p12");
    }

    @Test
    void caBundleWithSeveralCertificatesAndCommentsIsRead() throws Exception {
        TestPki other = TestPki.create("second CA");
        Path bundle = file("bundle.pem");
        TestPki.writeCertificates(bundle, other.ca.certificate(), TlsFixtures.PKI.ca.certificate());
        Files.writeString(bundle, "# operators' comment\nsubject=whatever\n" + Files.readString(bundle));
        TlsConfig client = TlsConfig.fromPem(TestPki.writeCertificates(file("c.crt"), TlsFixtures.CLIENT.certificate()),
                TestPki.writePkcs8Key(file("c.key"), TlsFixtures.CLIENT.keys()), bundle);
        assertThat(client.trustedCertificates()).hasSize(2);
        f.tlsPair(client, TlsFixtures.serverTls(), f.config(), f.config());
    }

    @Test
    void unusableFilesSayWhichAndWhy() throws Exception {
        Path ca = caFile();
        Path cert = TestPki.writeCertificates(file("c.crt"), TlsFixtures.CLIENT.certificate());
        Path empty = Files.writeString(file("empty.pem"), "nothing here\n");
        assertThatThrownBy(() -> TlsConfig.fromPem(empty, empty, ca)).isInstanceOf(IOException.class)
                .hasMessageContaining("empty.pem").hasMessageContaining("BEGIN CERTIFICATE");
        assertThatThrownBy(() -> TlsConfig.fromPem(cert, empty, ca)).isInstanceOf(IOException.class)
                .hasMessageContaining("BEGIN PRIVATE KEY");
        Path encrypted = Files.writeString(file("enc.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> TlsConfig.fromPem(cert, encrypted, ca)).isInstanceOf(IOException.class)
                .hasMessageContaining("encrypted");
        assertThatThrownBy(() -> TlsConfig.fromPem(cert, file("missing.key"), ca))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
        Path otherKey = TestPki.writePkcs8Key(file("other.key"), TestPki.ec());
        assertThatThrownBy(() -> TlsConfig.fromPem(cert, otherKey, ca)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not belong to certificate=CN=backup-client-1");
    }

    @Test
    void valuesAreChecked() {
        TlsConfig ok = TlsFixtures.clientTls();
        assertThatThrownBy(() -> ok.withProtocols("TLSv1.1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("protocols=[TLSv1.1]");
        assertThatThrownBy(() -> ok.withProtocols()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withHandshakeTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("handshakeTimeout=PT0S");
        assertThatThrownBy(() -> ok.withTrustedCertificates(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withMaxPendingHandshakes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ok.toString()).doesNotContain(ok.privateKey().toString()).contains("CN=backup-client-1");
        assertThatThrownBy(() -> TlsFrameServer.bind(TlsFixtures.loopback(), ok.withoutIdentity(), f.config()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsFrameConn.connect(InetSocketAddress.createUnresolved("no.such.host.invalid", 1),
                ok, f.config())).isInstanceOf(java.net.UnknownHostException.class);
    }

    @Test
    void tls12IsAcceptedOnlyWhenConfigured() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair(TlsFixtures.clientTls().withProtocols(TlsConfig.TLS_1_2),
                TlsFixtures.serverTls().withProtocols(TlsConfig.TLS_1_3, TlsConfig.TLS_1_2), f.config(), f.config());
        assertThat(p.server().protocol()).isEqualTo("TLSv1.2");
        Future<Frame> read = f.submit(p.server().conn()::readFrame);
        p.client().conn().writeFrame(9, new byte[70_000]);
        try (Frame frame = TlsFixtures.get(read)) {
            assertThat(frame.length()).isEqualTo(70_000);
        }
    }
}
