package dev.frameconn.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS side of a connection, immutable: this side's certificate and key,
 * the CA certificates a peer's certificate must lead to, the protocol versions,
 * and the handshake's bounds. Start from {@link #fromPem} or {@link #fromPkcs12}
 * and change the rest with the {@code with…} methods; every value is checked
 * when the record is made, including that the key belongs to the certificate.
 *
 * <p>Authentication is always mutual: a {@link TlsFrameServer} requires a
 * client certificate that leads to {@link #trustedCertificates()}; a client
 * checks the server's certificate against the same kind of list and, unless
 * switched off, that it was issued for the host name connected to (or
 * {@link #serverName()}).
 *
 * @param certificateChain this side's certificate first, then the intermediates
 *        to send along; empty only for a client that has no identity to prove
 *        (the server will reject it: useful for tests and diagnostics)
 * @param privateKey the key of the first certificate; null iff the chain is empty
 * @param trustedCertificates the CAs a peer's chain must lead to (the "CA bundle")
 * @param protocols TLS versions offered, from {@code TLSv1.3} and {@code TLSv1.2};
 *        default TLS 1.3 only. See {@link TlsFrameConn} for how 1.2 differs at close.
 * @param handshakeTimeout how long a handshake may take in all, silence included;
 *        a plain-TCP peer that never answers fails with
 *        {@link TlsHandshakeException.Reason#TIMEOUT} after this. Default 10 s.
 * @param verifyHostname whether a client checks the server's certificate against
 *        the host name (DNS or IP subject alternative names). Default true.
 * @param serverName the name a client expects in the server's certificate (and
 *        sends as SNI) instead of the host it connects to, like zrepl's
 *        {@code server_cn}; null to use the host. Ignored by servers.
 * @param maxPendingHandshakes a server's bound on connections being handshaken
 *        or waiting for {@link TlsFrameServer#accept()}; beyond it, new peers
 *        wait in the listen backlog. Default 64.
 */
public record TlsConfig(
        List<X509Certificate> certificateChain,
        PrivateKey privateKey,
        List<X509Certificate> trustedCertificates,
        List<String> protocols,
        Duration handshakeTimeout,
        boolean verifyHostname,
        String serverName,
        int maxPendingHandshakes) {

    /** TLS 1.3. */
    public static final String TLS_1_3 = "TLSv1.3";
    /** TLS 1.2: accepted only when configured. */
    public static final String TLS_1_2 = "TLSv1.2";
    /** Default {@link #handshakeTimeout()}: 10 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #maxPendingHandshakes()}. */
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 64;

    private static final Set<String> KNOWN_PROTOCOLS = Set.of(TLS_1_3, TLS_1_2);

    /** Checks every value; messages say {@code name=value}. */
    public TlsConfig {
        certificateChain = List.copyOf(Objects.requireNonNull(certificateChain, "certificateChain"));
        trustedCertificates = List.copyOf(Objects.requireNonNull(trustedCertificates, "trustedCertificates"));
        protocols = List.copyOf(Objects.requireNonNull(protocols, "protocols"));
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (certificateChain.isEmpty() != (privateKey == null)) {
            throw new IllegalArgumentException("certificateChain.size=" + certificateChain.size()
                    + " privateKey=" + (privateKey == null ? "null" : privateKey.getAlgorithm())
                    + ": give both a certificate and its key, or neither");
        }
        if (privateKey != null) {
            requireMatchingKey(certificateChain.get(0), privateKey);
        }
        if (trustedCertificates.isEmpty()) {
            throw new IllegalArgumentException("trustedCertificates is empty: a peer could never be verified");
        }
        if (protocols.isEmpty() || !KNOWN_PROTOCOLS.containsAll(protocols)) {
            throw new IllegalArgumentException("protocols=" + protocols + " must be a non-empty subset of "
                    + List.of(TLS_1_3, TLS_1_2));
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()
                || handshakeTimeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("handshakeTimeout=" + handshakeTimeout + " must be in (0, 1 day]");
        }
        if (serverName != null && serverName.isBlank()) {
            throw new IllegalArgumentException("serverName='" + serverName + "' must be null or a name");
        }
        if (maxPendingHandshakes < 1) {
            throw new IllegalArgumentException("maxPendingHandshakes=" + maxPendingHandshakes + " must be >= 1");
        }
    }

    /**
     * Reads PEM files as operators keep them.
     *
     * @param certificate this side's certificate, optionally followed by intermediates
     * @param key its private key, unencrypted: PKCS#8 ({@code BEGIN PRIVATE KEY}),
     *        PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC 1 ({@code BEGIN EC PRIVATE KEY})
     * @param ca the CA certificates a peer's certificate must lead to (one or a bundle)
     * @return a configuration with this identity and these CAs, and defaults otherwise
     * @throws IOException if a file cannot be read or holds no usable PEM block;
     *         the message names the file
     * @throws IllegalArgumentException if the key does not belong to the certificate
     */
    public static TlsConfig fromPem(Path certificate, Path key, Path ca) throws IOException {
        List<X509Certificate> chain = Pem.certificates(certificate);
        PrivateKey privateKey = Pem.privateKey(key, chain.get(0).getPublicKey());
        return defaults(chain, privateKey, Pem.certificates(ca));
    }

    /**
     * Reads this side's certificate chain and key from a PKCS#12 keystore, and
     * the CAs from a PEM file.
     *
     * @param keystore a PKCS#12 file ({@code .p12}, {@code .pfx}) holding one key entry
     * @param password the keystore's password (also used for the key entry)
     * @param ca the CA certificates a peer's certificate must lead to, PEM
     * @return a configuration with this identity and these CAs, and defaults otherwise
     * @throws IOException if a file cannot be read, the password is wrong, or
     *         the keystore holds no key entry, or more than one
     */
    public static TlsConfig fromPkcs12(Path keystore, char[] password, Path ca) throws IOException {
        Objects.requireNonNull(password, "password");
        KeyStore store;
        try (InputStream in = Files.newInputStream(keystore)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("file=" + keystore + " cannot be read as PKCS#12: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("file=" + keystore + " cannot be read as PKCS#12 (wrong password?): "
                    + e.getMessage(), e);
        }
        try {
            List<String> keyAliases = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keyAliases.add(alias);
                }
            }
            if (keyAliases.size() != 1) {
                throw new IOException("file=" + keystore + " holds " + keyAliases.size()
                        + " key entries " + keyAliases + "; exactly one is needed");
            }
            String alias = keyAliases.get(0);
            Key key = store.getKey(alias, password);
            if (!(key instanceof PrivateKey privateKey)) {
                throw new IOException("file=" + keystore + " alias=" + alias + " is not a private key");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : store.getCertificateChain(alias)) {
                chain.add((X509Certificate) c);
            }
            return defaults(chain, privateKey, Pem.certificates(ca));
        } catch (GeneralSecurityException e) {
            throw new IOException("file=" + keystore + ": key entry cannot be read: " + e.getMessage(), e);
        }
    }

    private static TlsConfig defaults(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> ca) {
        return new TlsConfig(chain, key, ca, List.of(TLS_1_3), DEFAULT_HANDSHAKE_TIMEOUT, true, null,
                DEFAULT_MAX_PENDING_HANDSHAKES);
    }

    /**
     * A copy offering these protocol versions, in order of preference.
     *
     * @param value protocol names such as {@code TLSv1.3}, preferred first
     * @return the copy
     */
    public TlsConfig withProtocols(String... value) {
        return new TlsConfig(certificateChain, privateKey, trustedCertificates, List.of(value), handshakeTimeout,
                verifyHostname, serverName, maxPendingHandshakes);
    }

    /**
     * A copy with another {@link #handshakeTimeout()}.
     *
     * @param value the new handshake timeout
     * @return the copy
     */
    public TlsConfig withHandshakeTimeout(Duration value) {
        return new TlsConfig(certificateChain, privateKey, trustedCertificates, protocols, value,
                verifyHostname, serverName, maxPendingHandshakes);
    }

    /**
     * A copy that does or does not check the server's host name.
     *
     * @param value whether the server's host name is checked
     * @return the copy
     */
    public TlsConfig withVerifyHostname(boolean value) {
        return new TlsConfig(certificateChain, privateKey, trustedCertificates, protocols, handshakeTimeout,
                value, serverName, maxPendingHandshakes);
    }

    /**
     * A copy expecting {@code value} in the server's certificate; null for the host connected to.
     *
     * @param value the name expected, or null
     * @return the copy
     */
    public TlsConfig withServerName(String value) {
        return new TlsConfig(certificateChain, privateKey, trustedCertificates, protocols, handshakeTimeout,
                verifyHostname, value, maxPendingHandshakes);
    }

    /**
     * A copy with another {@link #maxPendingHandshakes()}.
     *
     * @param value the new bound on pending handshakes
     * @return the copy
     */
    public TlsConfig withMaxPendingHandshakes(int value) {
        return new TlsConfig(certificateChain, privateKey, trustedCertificates, protocols, handshakeTimeout,
                verifyHostname, serverName, value);
    }

    /**
     * A copy trusting these CAs instead.
     *
     * @param value the CA certificates to trust
     * @return the copy
     */
    public TlsConfig withTrustedCertificates(List<X509Certificate> value) {
        return new TlsConfig(certificateChain, privateKey, value, protocols, handshakeTimeout,
                verifyHostname, serverName, maxPendingHandshakes);
    }

    /**
     * A copy with no certificate of its own: a client the server will reject.
     *
     * @return the copy
     */
    public TlsConfig withoutIdentity() {
        return new TlsConfig(List.of(), null, trustedCertificates, protocols, handshakeTimeout,
                verifyHostname, serverName, maxPendingHandshakes);
    }

    /**
     * True if this side has a certificate and key to prove who it is.
     *
     * @return whether this side has an identity
     */
    public boolean hasIdentity() {
        return privateKey != null;
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "TlsConfig[certificate="
                + (certificateChain.isEmpty() ? "none" : certificateChain.get(0).getSubjectX500Principal().getName())
                + ", trusted=" + trustedCertificates.size() + " CA(s), protocols=" + protocols
                + ", handshakeTimeout=" + handshakeTimeout + ", verifyHostname=" + verifyHostname
                + ", serverName=" + serverName + ", maxPendingHandshakes=" + maxPendingHandshakes + "]";
    }

    /** A fresh context with this configuration's key and trust material. */
    SSLContext newSslContext() {
        CipherWarmUp.start(); // once per process: bulk data then meets compiled AES-GCM (see there)
        try {
            javax.net.ssl.KeyManager[] keyManagers = privateKey == null ? null
                    : new javax.net.ssl.KeyManager[] {new OwnKeyManager(certificateChain, privateKey)};
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < trustedCertificates.size(); i++) {
                trust.setCertificateEntry("ca" + i, trustedCertificates.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            X509ExtendedTrustManager pkix = null;
            for (var tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    pkix = x;
                }
            }
            if (pkix == null) {
                throw new IllegalStateException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers,
                    new javax.net.ssl.TrustManager[] {new CheckingTrustManager(pkix)}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS context from " + this + ": " + e.getMessage(), e);
        }
    }

    private static void requireMatchingKey(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null; // no cheap check for other kinds; the handshake will tell
        };
        if (algorithm == null) {
            return;
        }
        boolean matches;
        try {
            byte[] probe = "frameconn key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IllegalArgumentException("privateKey=" + key.getAlgorithm() + " does not belong to certificate="
                    + certificate.getSubjectX500Principal().getName());
        }
    }
}
