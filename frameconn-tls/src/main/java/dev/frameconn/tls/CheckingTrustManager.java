package dev.frameconn.tls;

import dev.frameconn.tls.TlsHandshakeException.Reason;
import java.net.Socket;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's PKIX trust manager, with its failures sorted into
 * {@link Reason}s. Which check failed is decided by re-running checks, not by
 * reading the JDK's messages: a chain that passes without the host name check
 * failed on the host name; a chain holding a certificate outside its validity
 * period failed on time; anything else is untrusted.
 */
final class CheckingTrustManager extends X509ExtendedTrustManager {
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
        return new Rejected(Reason.UNTRUSTED_CERTIFICATE, side + " certificate subject=" + subject(chain)
                + " issuer=" + issuer(chain) + " does not lead to a trusted CA: " + e.getMessage(), e);
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
