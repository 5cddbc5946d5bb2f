package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLI over TLS with mutual authentication, end to end: certificates
 * made at run time (nothing secret is committed), written as PEM files as an
 * operator keeps them, used by {@code frames listen} and {@code frames send}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliTlsProcessTest {
    @TempDir
    Path dir;

    private static long serial = System.currentTimeMillis();

    @Test
    void listenerNamesTheClientAndRefusesAForeignOne() throws Exception {
        KeyPair caKeys = ec();
        X509Certificate ca = certificate("CN=test CA", caKeys, "CN=test CA", caKeys.getPrivate(), true, List.of());
        Path caFile = pem("ca.pem", ca);
        writeIdentity("server", ca, caKeys, List.of("localhost"));
        writeIdentity("backup-client-1", ca, caKeys, List.of("backup-client-1.example"));
        KeyPair rogueKeys = ec();
        X509Certificate rogue = certificate("CN=rogue CA", rogueKeys, "CN=rogue CA", rogueKeys.getPrivate(), true,
                List.of());
        writeIdentity("intruder", rogue, rogueKeys, List.of());

        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "localhost:0", "--connections", "1",
                "--tls-cert", "server.crt", "--tls-key", "server.key", "--tls-ca", caFile.toString())) {
            String port = listener.nextLine().replaceAll(".*:", "");
            String address = "localhost:" + port;

            // a client whose certificate the listener's CA did not issue: refused, and the listener goes on
            try (CliProcess intruder = CliProcess.start(dir, "frames", "send", address, "--tls-cert", "intruder.crt",
                    "--tls-key", "intruder.key", "--tls-ca", caFile.toString())) {
                intruder.input("1 hex:00\n");
                assertThat(intruder.awaitExit()).as("intruder status; stderr: %s", intruder.stderr()).isNotZero();
                assertThat(listener.awaitLineContaining("tls handshake failed"))
                        .contains("untrusted_certificate").contains("CN=intruder");
            }

            try (CliProcess sender = CliProcess.start(dir, "frames", "send", address, "--tls-cert",
                    "backup-client-1.crt", "--tls-key", "backup-client-1.key", "--tls-ca", caFile.toString())) {
                sender.input("1 hex:68656c6c6f\n2 70000\n");
                assertThat(sender.awaitExit()).as("send status; stderr: %s", sender.stderr()).isZero();
                assertThat(sender.stdoutLines().getLast()).startsWith("shutdown: clean");
            }
            assertThat(listener.awaitExit()).as("listen status; stderr: %s", listener.stderr()).isZero();
            List<String> heard = listener.stdoutLines();
            assertThat(heard).anySatisfy(l -> assertThat(l).startsWith("conn 1 accepted from ")
                    .endsWith("client CN=backup-client-1 DNS=backup-client-1.example"));
            assertThat(heard).anySatisfy(l -> assertThat(l).startsWith("conn 1 frame type=0x00000002 length=70000"));
            assertThat(heard).anySatisfy(l -> assertThat(l).startsWith("conn 1 end: peer_shutdown"));
            assertThat(heard.getLast()).startsWith("conn 1 shutdown: clean");
        }
    }

    @Test
    void incompleteTlsOptionsAreAUsageError() throws Exception {
        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "127.0.0.1:0", "--tls-cert", "x.crt")) {
            assertThat(listener.awaitExit()).isEqualTo(ExitCode.USAGE);
            assertThat(listener.stderr()).contains("--tls-cert", "--tls-key", "--tls-ca");
        }
    }

    private void writeIdentity(String cn, X509Certificate ca, KeyPair caKeys, List<String> dns) throws Exception {
        KeyPair keys = ec();
        X509Certificate cert = certificate("CN=" + cn, keys, ca.getSubjectX500Principal().getName(),
                caKeys.getPrivate(), false, dns);
        pem(cn + ".crt", cert);
        try (Writer w = Files.newBufferedWriter(dir.resolve(cn + ".key")); JcaPEMWriter out = new JcaPEMWriter(w)) {
            out.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
        }
    }

    private Path pem(String name, X509Certificate cert) throws Exception {
        Path file = dir.resolve(name);
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter out = new JcaPEMWriter(w)) {
            out.writeObject(cert);
        }
        return file;
    }

    private static X509Certificate certificate(String subject, KeyPair keys, String issuer, PrivateKey signer,
            boolean ca, List<String> dns) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Principal(issuer),
                BigInteger.valueOf(++serial), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofHours(2))), new X500Principal(subject), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (!dns.isEmpty()) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                    dns.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
