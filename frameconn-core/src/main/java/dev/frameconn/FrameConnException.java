package dev.frameconn;

import java.io.IOException;

/**
 * A failure caused by the peer or the network, as opposed to a bug of the
 * caller (those are {@link IllegalArgumentException} and
 * {@link IllegalStateException}).
 *
 * <p>The subtypes tell the cases apart, so a caller can {@code switch} over them:
 * shut down (by us or the peer), clean end of stream, timeout, frame too
 * large, truncated frame, protocol violation, reset by the peer, and use of a
 * connection that an earlier failure broke. Other {@link IOException}s from
 * the transport pass through unchanged.
 */
public abstract sealed class FrameConnException extends IOException
        permits ConnectionShutdownException, EndOfStreamException, FrameTimeoutException,
                FrameTooLargeException, TruncatedFrameException, FrameProtocolException,
                ConnectionResetException, ConnectionBrokenException {

    FrameConnException(String message) {
        super(message);
    }

    FrameConnException(String message, Throwable cause) {
        super(message, cause);
    }
}
