package dev.frameconn.tls;

import dev.frameconn.tls.TlsHandshakeException.Reason;
import java.net.Socket;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.StringJoiner;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's PKIX trust manager, with its failures sorted into
 * {@link Reason}s. Which check failed is decided by re-running checks, not by
 * reading the JDK's messages: a chain that passes without the host name check
 * failed on the host name; a chain holding a certificate outside its validity
 * period failed on time; a leaf whose extended key usage excludes its role
 * (serverAuth for a server, clientAuth for a client) failed on its usage,
 * which the JDK refuses for that alone; anything else is untrusted.
 */
final class CheckingTrustManager extends X509ExtendedTrustManager {
    /** Extended key usage purposes (RFC 5280 4.2.1.12), by object identifier. */
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private final X509ExtendedTrustManager pkix;

    CheckingTrustManager(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    /** A certificate check that failed, with the reason; the JDK puts it in its handshake exception's causes. */
    static final class Rejected extends CertificateException {
        private static final long serialVersionUID = 1L;
        final Reason reason;

        Rejected(Reason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check("client", chain, () -> pkix.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            pkix.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            boolean hostnameOnly = false;
            if (engine != null && engine.getSSLParameters().getEndpointIdentificationAlgorithm() != null) {
                try {
                    pkix.checkServerTrusted(chain, authType); // the same checks without the host name
                    hostnameOnly = true;
                } catch (CertificateException other) {
                    // the chain itself is bad: classified below
                }
            }
            if (hostnameOnly) {
                throw new Rejected(Reason.HOSTNAME_MISMATCH, "server certificate subject="
                        + subject(chain) + " is not issued for host=" + engine.getPeerHost() + ": "
                        + e.getMessage(), e);
            }
            throw classify("server", chain, e);
        }
    }

    /** One of the JDK's checks, which throws if the chain fails it. */
    @FunctionalInterface
    private interface Check {
        void run() throws CertificateException;
    }

    /** Runs a check of the {@code side}'s chain; a failure comes out as a {@link Rejected} with its reason. */
    private static void check(String side, X509Certificate[] chain, Check check) throws CertificateException {
        try {
            check.run();
        } catch (CertificateException e) {
            throw classify(side, chain, e);
        }
    }

    private static Rejected classify(String side, X509Certificate[] chain, CertificateException e) {
        for (X509Certificate c : chain == null ? new X509Certificate[0] : chain) {
            try {
                c.checkValidity();
            } catch (CertificateExpiredException | CertificateNotYetValidException invalid) {
                return new Rejected(Reason.EXPIRED_CERTIFICATE, side + " certificate subject="
                        + c.getSubjectX500Principal().getName() + " is outside its validity notBefore="
                        + c.getNotBefore().toInstant() + " notAfter=" + c.getNotAfter().toInstant(), e);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathValidatorException v
                    && (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                        || v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return new Rejected(Reason.EXPIRED_CERTIFICATE, side + " certificate chain of subject="
                        + subject(chain) + " is outside its validity: " + v.getMessage(), e);
            }
        }
        String purpose = side.equals("server") ? SERVER_AUTH : CLIENT_AUTH;
        List<String> usages = chain == null || chain.length == 0 ? null : usagesExcluding(chain[0], purpose);
        if (usages != null) {
            return new Rejected(Reason.WRONG_KEY_USAGE, side + " certificate subject=" + subject(chain)
                    + " has extended key usage=" + names(usages) + ", which does not allow " + name(purpose)
                    + " (TLS " + side + " authentication): " + e.getMessage(), e);
        }
        return new Rejected(Reason.UNTRUSTED_CERTIFICATE, side + " certificate subject=" + subject(chain)
                + " issuer=" + issuer(chain) + " does not lead to a trusted CA: " + e.getMessage(), e);
    }

    /** The leaf's extended key usages if they exclude {@code purpose}; null if they allow it, or it has none. */
    private static List<String> usagesExcluding(X509Certificate leaf, String purpose) {
        List<String> usages;
        try {
            usages = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException unreadable) {
            return null; // the JDK refused it for something we cannot name: untrusted
        }
        if (usages == null || usages.contains(purpose) || usages.contains(ANY_USAGE)) {
            return null;
        }
        return usages;
    }

    private static String names(List<String> usages) {
        StringJoiner joined = new StringJoiner(",", "[", "]");
        usages.forEach(u -> joined.add(name(u)));
        return joined.toString();
    }

    private static String name(String usage) {
        return switch (usage) {
            case SERVER_AUTH -> "serverAuth";
            case CLIENT_AUTH -> "clientAuth";
            case ANY_USAGE -> "anyExtendedKeyUsage";
            default -> usage;
        };
    }

    private static String subject(X509Certificate[] chain) {
        return chain == null || chain.length == 0 ? "(none)" : chain[0].getSubjectX500Principal().getName();
    }

    private static String issuer(X509Certificate[] chain) {
        return chain == null || chain.length == 0 ? "(none)" : chain[0].getIssuerX500Principal().getName();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check("client", chain, () -> pkix.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check("server", chain, () -> pkix.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check("client", chain, () -> pkix.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check("server", chain, () -> pkix.checkServerTrusted(chain, authType));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
