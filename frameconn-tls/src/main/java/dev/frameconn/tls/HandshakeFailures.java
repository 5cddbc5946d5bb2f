package dev.frameconn.tls;

import dev.frameconn.internal.jfr.FrameConnEvents;
import dev.frameconn.tls.TlsHandshakeException.Reason;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Turns what the JDK throws during a handshake into a
 * {@link TlsHandshakeException} with a {@link Reason}. Certificate failures
 * come sorted from {@link CheckingTrustManager}; alerts from the peer are
 * read from the JDK's message ("Received fatal alert: NAME"), which names the
 * alert as RFC 8446 does; the few other cases match the JDK's wording and fall
 * back to {@link Reason#FAILED}, with the JDK's exception as the cause.
 */
final class HandshakeFailures {
    private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");
    private static final Pattern SENT_ALERT = Pattern.compile("\\((\\w+)\\) ");
    private static final Set<String> CERTIFICATE_ALERTS = Set.of("bad_certificate", "unsupported_certificate",
            "certificate_revoked", "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied",
            "certificate_required", "decrypt_error");
    private static final Set<String> PARAMETER_ALERTS = Set.of("protocol_version", "insufficient_security",
            "inappropriate_fallback", "no_application_protocol");

    private HandshakeFailures() {}

    static TlsHandshakeException classify(Exception e, TlsHandshake handshake, Duration timeout) {
        SocketAddress peer = handshake.peer();
        if (handshake.timedOut()) {
            long in = handshake.bytesIn();
            FrameConnEvents.handshakeTimedOut(peer, timeout);
            return new TlsHandshakeException(Reason.TIMEOUT, peer, "no complete handshake within handshakeTimeout="
                    + timeout + " (" + in + " bytes received"
                    + (in == 0 ? ": the peer sent nothing, as a plain frameconn peer waiting for frames does)" : ")"),
                    e);
        }
        if (e instanceof TlsHandshakeException known) {
            return known;
        }
        if (e instanceof SSLException ssl) {
            return fromSsl(ssl, peer, true);
        }
        if (e instanceof ClosedChannelException) {
            return new TlsHandshakeException(Reason.FAILED, peer, "closed locally during the handshake", e);
        }
        if (e instanceof IOException) {
            return new TlsHandshakeException(Reason.PEER_CLOSED, peer, e.getMessage() + "; "
                    + closedHint(handshake.bytesIn()), e);
        }
        return new TlsHandshakeException(Reason.FAILED, peer, String.valueOf(e), e);
    }

    /**
     * A failure reported by a read after the handshake: with TLS 1.3 a server
     * checks the client's certificate after the client finished its handshake,
     * so its rejection arrives here. Other TLS failures are returned unchanged.
     */
    static IOException afterHandshake(SSLException e, TlsTransport transport) {
        String alert = alert(e);
        if (alert != null && CERTIFICATE_ALERTS.contains(alert)) {
            return fromSsl(e, transport.remoteAddress(), false);
        }
        return e;
    }

    private static TlsHandshakeException fromSsl(SSLException e, SocketAddress peer, boolean during) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CheckingTrustManager.Rejected rejected) {
                return new TlsHandshakeException(rejected.reason, peer, rejected.getMessage(), e);
            }
        }
        String message = String.valueOf(e.getMessage());
        String alert = alert(e);
        if (alert != null) {
            if (alert.equals("certificate_required")) {
                return new TlsHandshakeException(Reason.REJECTED_BY_PEER, peer,
                        "the server requires a client certificate and this side sent none (alert certificate_required)",
                        e);
            }
            if (CERTIFICATE_ALERTS.contains(alert)) {
                return new TlsHandshakeException(Reason.REJECTED_BY_PEER, peer, "the peer rejected this side's"
                        + " certificate with alert " + alert + (during ? "" : " after the handshake (TLS 1.3 checks"
                        + " the client's certificate once the client has finished)"), e);
            }
            if (PARAMETER_ALERTS.contains(alert)) {
                return new TlsHandshakeException(Reason.NO_COMMON_PARAMETERS, peer, "the peer accepts none of this"
                        + " side's protocol versions or cipher suites (alert " + alert + ")", e);
            }
            return new TlsHandshakeException(Reason.REJECTED_BY_PEER, peer, "the peer ended the handshake with alert "
                    + alert, e);
        }
        // the JDK starts the message of a failure found here with the alert it sends: "(protocol_version) ..."
        Matcher sent = SENT_ALERT.matcher(message);
        String ours = sent.lookingAt() ? sent.group(1) : "";
        if (PARAMETER_ALERTS.contains(ours)) {
            return new TlsHandshakeException(Reason.NO_COMMON_PARAMETERS, peer, "the peer offers none of this"
                    + " side's protocol versions or cipher suites: " + message, e);
        }
        if (message.contains("Empty client certificate chain") || ours.equals("certificate_required")) {
            return new TlsHandshakeException(Reason.NO_CLIENT_CERTIFICATE, peer,
                    "the client sent no certificate, and one is required", e);
        }
        if (message.contains("Unsupported or unrecognized SSL message")) {
            return new TlsHandshakeException(Reason.NOT_TLS, peer, "the peer's bytes are not TLS records ("
                    + message + ")", e);
        }
        if (message.contains("not enabled or supported") || message.contains("No appropriate protocol")
                || message.contains("no cipher suites in common") || message.contains("No common")) {
            return new TlsHandshakeException(Reason.NO_COMMON_PARAMETERS, peer, "no protocol version or cipher"
                    + " suite both sides accept: " + message, e);
        }
        return new TlsHandshakeException(Reason.FAILED, peer, message, e);
    }

    private static String alert(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                Matcher m = ALERT.matcher(t.getMessage());
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        return null;
    }

    static String closedHint(long bytesIn) {
        return bytesIn == 0
                ? "the peer closed the connection without a TLS answer: is it a plain (non-TLS) frameconn peer?"
                  + " One closes when a TLS hello arrives"
                : "the peer closed the connection during the TLS handshake, without an alert";
    }

    static String plainHint(byte[] head) {
        if (head.length > 0 && head[0] >= 0x00 && head[0] <= 0x10) {
            // frameconn types below 2^28 start with 0x00..0x0f, RST with 0x10
            return " (they look like a frameconn header: the peer speaks plain frameconn, not TLS)";
        }
        if (head.length >= 3 && head[0] >= 'A' && head[0] <= 'Z' && head[1] >= 'A' && head[1] <= 'Z') {
            return " (they look like text, such as HTTP: not a frameconn peer)";
        }
        return "";
    }
}
