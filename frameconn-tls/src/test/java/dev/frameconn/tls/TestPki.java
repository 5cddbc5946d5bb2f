package dev.frameconn.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority made at test time (nothing secret is
 * committed): a self-signed CA and leaf certificates for servers and clients,
 * with the names, validity and key types a test asks for.
 */
final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key pair. */
    record Credential(X509Certificate certificate, KeyPair keys) {}

    final Credential ca;

    private TestPki(Credential ca) {
        this.ca = ca;
    }

    /** A new CA with an EC P-256 key, valid from an hour ago for a day. */
    static TestPki create(String name) {
        try {
            KeyPair keys = ec();
            X500Principal subject = new X500Principal("CN=" + name + ",O=frameconn tests");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                    keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new TestPki(new Credential(cert, keys));
        } catch (Exception e) {
            throw new AssertionError("cannot make a test CA", e);
        }
    }

    /** The usual server: CN=server, DNS localhost, IP 127.0.0.1. */
    Credential server() {
        return issue("server", List.of("localhost"), List.of("127.0.0.1"), validNow(), ec());
    }

    /** A client named {@code cn}, with DNS name {@code cn.clients.test}. */
    Credential client(String cn) {
        return issue(cn, List.of(cn + ".clients.test"), List.of(), validNow(), ec());
    }

    static Instant[] validNow() {
        Instant now = Instant.now();
        return new Instant[] {now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(12))};
    }

    static Instant[] expired() {
        Instant now = Instant.now();
        return new Instant[] {now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))};
    }

    /** Validity that starts tomorrow: a certificate not yet valid. */
    static Instant[] notYetValid() {
        Instant now = Instant.now();
        return new Instant[] {now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(10))};
    }

    /**
     * An intermediate CA under this one (a CA certificate this CA signs); what it
     * {@link #issue}s is signed with the intermediate's key, so a peer that trusts only
     * this CA needs the intermediate in the chain it is sent.
     */
    TestPki intermediate(String name) {
        try {
            KeyPair keys = ec();
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate().getSubjectX500Principal(),
                    serial(), Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
                    new X500Principal("CN=" + name + ",O=frameconn tests"), keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(ca.certificate()));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.keys().getPrivate())));
            return new TestPki(new Credential(cert, keys));
        } catch (Exception e) {
            throw new AssertionError("cannot make an intermediate CA name=" + name, e);
        }
    }

    /** A certificate for both roles (extended key usage serverAuth and clientAuth). */
    Credential issue(String cn, List<String> dnsNames, List<String> ipAddresses, Instant[] validity, KeyPair keys) {
        return issue(cn, dnsNames, ipAddresses, validity, keys,
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
    }

    /** A certificate whose extended key usage allows exactly {@code purposes}. */
    Credential issue(String cn, List<String> dnsNames, List<String> ipAddresses, Instant[] validity, KeyPair keys,
            KeyPurposeId... purposes) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate().getSubjectX500Principal(),
                    serial(), Date.from(validity[0]), Date.from(validity[1]),
                    new X500Principal("CN=" + cn + ",O=frameconn tests"), keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(ca.certificate()));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
            ipAddresses.forEach(n -> names.add(new GeneralName(GeneralName.iPAddress, n)));
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(new GeneralName[0])));
            }
            String alg = ca.keys().getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder(alg).build(ca.keys().getPrivate())));
            return new Credential(cert, keys);
        } catch (Exception e) {
            throw new AssertionError("cannot issue a test certificate for cn=" + cn, e);
        }
    }

    /** The config of a side with this credential, trusting this CA; TLS 1.3, short handshake timeout. */
    TlsConfig config(Credential self) {
        return new TlsConfig(List.of(self.certificate()), self.keys().getPrivate(), List.of(ca.certificate()),
                List.of(TlsConfig.TLS_1_3), Duration.ofSeconds(10), true, null, 16);
    }

    static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    // ---------------------------------------------------------------- files, as operators keep them

    static Path writeCertificates(Path file, X509Certificate... certs) throws IOException {
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            for (X509Certificate c : certs) {
                pem.writeObject(c);
            }
        }
        return file;
    }

    /** "BEGIN PRIVATE KEY": PKCS#8, unencrypted. */
    static Path writePkcs8Key(Path file, KeyPair keys) throws IOException {
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
        }
        return file;
    }

    /** "BEGIN RSA PRIVATE KEY" or "BEGIN EC PRIVATE KEY": OpenSSL's traditional forms. */
    static Path writeTraditionalKey(Path file, KeyPair keys) throws IOException {
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(keys.getPrivate());
        }
        return file;
    }

    /** "BEGIN EC PRIVATE KEY" as OpenSSL writes it: SEC 1 with the named curve and the public key. */
    static Path writeOpenSslEcKey(Path file, KeyPair keys) throws IOException {
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
                org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner =
                org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo spki =
                org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey full = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                inner.getKey(), spki.getPublicKeyData(), info.getPrivateKeyAlgorithm().getParameters());
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", full.getEncoded()));
        }
        return file;
    }

    static Path writePkcs12(Path file, Credential self, char[] password) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("self", self.keys().getPrivate(), password, new X509Certificate[] {self.certificate()});
            store.store(out, password);
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
        return file;
    }
}
