package dev.frameconn.tls;

import dev.frameconn.HandshakeException;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * The TLS handshake with a peer failed; {@link #reason()} says why, in terms an
 * operator can act on. The peer's address is part of the message.
 *
 * <p>Thrown by {@link TlsFrameConn#connect} and {@link TlsFrameServer#accept()}.
 * With TLS 1.3 a client finishes its handshake before the server has checked
 * the client's certificate, so a server that rejects it is seen by the client
 * on its first read (or write) after connecting: that call throws this
 * exception with {@link Reason#REJECTED_BY_PEER}.
 *
 * <p>A read or write of an established TLS 1.2 connection throws it with
 * {@link Reason#RENEGOTIATION_REFUSED} when the peer tries to start a new
 * handshake; the connection is then aborted.
 */
public final class TlsHandshakeException extends HandshakeException {
    private static final long serialVersionUID = 1L;

    /** Why a handshake failed. */
    public enum Reason {
        /** The peer's bytes are not TLS records: a plain (non-TLS) frameconn peer, or another protocol. */
        NOT_TLS,
        /** The peer closed or reset the connection during the handshake without a TLS alert. */
        PEER_CLOSED,
        /** The handshake did not complete within {@link TlsConfig#handshakeTimeout()}. */
        TIMEOUT,
        /** The peer's certificate does not lead to a trusted CA. */
        UNTRUSTED_CERTIFICATE,
        /** The peer's certificate (or one in its chain) has expired or is not yet valid. */
        EXPIRED_CERTIFICATE,
        /** The server's certificate is trusted but not issued for the host name connected to. */
        HOSTNAME_MISMATCH,
        /**
         * The peer's certificate has an extended key usage that excludes the
         * role it was used in: a server certificate without serverAuth, or a
         * client certificate without clientAuth (anyExtendedKeyUsage allows
         * both). Reissue it with the right usage; trusting another CA does not help.
         */
        WRONG_KEY_USAGE,
        /** The client sent no certificate, and the server requires one. */
        NO_CLIENT_CERTIFICATE,
        /** The peer refused this side: its fatal alert (for example {@code unknown_ca}) is in the message. */
        REJECTED_BY_PEER,
        /** No protocol version or cipher suite both sides accept. */
        NO_COMMON_PARAMETERS,
        /**
         * The peer tried to start a new handshake on an established TLS 1.2
         * session (renegotiation, from either side), which frameconn never
         * allows: the connection was aborted. TLS 1.3 has no renegotiation;
         * its post-handshake messages (KeyUpdate, NewSessionTicket) are accepted.
         */
        RENEGOTIATION_REFUSED,
        /** Any other failure; the cause has the details. */
        FAILED
    }

    /** Why the handshake failed. */
    private final Reason reason;
    private final transient SocketAddress peer;

    /**
     * A handshake with {@code peer} failed for {@code reason}.
     *
     * @param reason why
     * @param peer the peer's address, or null if unknown
     * @param detail what happened, for the message
     * @param cause the underlying failure, or null
     */
    public TlsHandshakeException(Reason reason, SocketAddress peer, String detail, Throwable cause) {
        super("TLS handshake with peer=" + peer + " failed, reason=" + Objects.requireNonNull(reason, "reason")
                + ": " + detail, cause);
        this.reason = reason;
        this.peer = peer;
    }

    /**
     * Why the handshake failed.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The peer's address, or null if unknown.
     *
     * @return the peer's address, or null
     */
    public SocketAddress peer() {
        return peer;
    }
}
