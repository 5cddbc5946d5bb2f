package dev.frameconn;

import java.io.IOException;

/**
 * A failure caused by the peer or the network, as opposed to a bug of the
 * caller (those are {@link IllegalArgumentException} and
 * {@link IllegalStateException}).
 *
 * <p>This is the one family for every failure of the peer or the network, in
 * every layer: a caller that wants "the peer or the network failed" catches
 * this type once. The subtypes tell the cases apart, and the hierarchy is
 * sealed, so a {@code switch} over them is exhaustive:
 * <ul>
 *   <li>frame layer: shut down (by us or the peer), clean end of stream,
 *       timeout, frame too large, truncated frame, protocol violation, reset by
 *       the peer, use of a connection that an earlier failure broke;</li>
 *   <li>heartbeat layer: {@link dev.frameconn.heartbeat.PeerTimeoutException},
 *       {@link dev.frameconn.heartbeat.StreamStalledException},
 *       {@link dev.frameconn.heartbeat.HeartbeatProtocolException};</li>
 *   <li>stream layer: {@link dev.frameconn.stream.StreamException} (itself
 *       sealed);</li>
 *   <li>connection set-up: {@link HandshakeException}, the one non-sealed
 *       branch, so that a security module (frameconn-tls) can report its
 *       handshake failures inside the family.</li>
 * </ul>
 * Other {@link IOException}s from the transport (a refused connect, an
 * unreachable host) pass through unchanged.
 */
public abstract sealed class FrameConnException extends IOException
        permits ConnectionShutdownException, EndOfStreamException, FrameTimeoutException,
                FrameTooLargeException, TruncatedFrameException, FrameProtocolException,
                ConnectionResetException, ConnectionBrokenException, HandshakeException,
                dev.frameconn.heartbeat.PeerTimeoutException,
                dev.frameconn.heartbeat.StreamStalledException,
                dev.frameconn.heartbeat.HeartbeatProtocolException,
                dev.frameconn.stream.StreamException {

    private static final long serialVersionUID = 1L;

    // protected only so that the permitted subtypes in the heartbeat and stream packages can call
    // them; the class is sealed, so nothing else can extend it
    /**
     * A failure with the given description.
     *
     * @param message what failed, for people
     */
    protected FrameConnException(String message) {
        super(message);
    }

    /**
     * A failure with the given description and the lower-level failure behind it.
     *
     * @param message what failed, for people
     * @param cause the failure that caused this one, or {@code null}
     */
    protected FrameConnException(String message, Throwable cause) {
        super(message, cause);
    }
}
