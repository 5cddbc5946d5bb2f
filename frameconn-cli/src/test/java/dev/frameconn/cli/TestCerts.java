package dev.frameconn.cli;

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
import java.util.concurrent.atomic.AtomicLong;
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

/**
 * Certificates for the TLS process tests, made at run time (nothing secret is
 * committed) and written as PEM files in a directory, as an operator keeps
 * them: {@code NAME.crt} and {@code NAME.key} (PKCS#8) for an identity, one
 * file for a CA certificate. EC P-256, valid from an hour ago for two hours.
 */
final class TestCerts {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A CA: its certificate (also written to {@code NAME.pem}) and keys. */
    record Ca(X509Certificate certificate, KeyPair keys, Path pem) {}

    private final Path dir;

    TestCerts(Path dir) {
        this.dir = dir;
    }

    /** A self-signed CA named {@code CN=cn}, written to {@code file}. */
    Ca ca(String cn, String file) throws Exception {
        KeyPair keys = ec();
        X509Certificate cert = certificate("CN=" + cn, keys, "CN=" + cn, keys.getPrivate(), true, List.of());
        return new Ca(cert, keys, pem(file, cert));
    }

    /** An identity {@code CN=cn} with DNS names {@code dns}, issued by {@code ca}: {@code cn.crt}, {@code cn.key}. */
    void identity(String cn, Ca ca, List<String> dns) throws Exception {
        KeyPair keys = ec();
        X509Certificate cert = certificate("CN=" + cn, keys, ca.certificate().getSubjectX500Principal().getName(),
                ca.keys().getPrivate(), false, dns);
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
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
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
