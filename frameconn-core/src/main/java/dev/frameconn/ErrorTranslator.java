package dev.frameconn;

import dev.frameconn.internal.Deadlines;
import dev.frameconn.internal.jfr.FrameConnEvents;
import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/**
 * Error translation for one connection, in one place: what the transport
 * throws becomes the exception a caller can act on.
 *
 * <ul>
 *   <li>After the watchdog fired, any I/O error (the abort it caused) becomes
 *       {@link FrameTimeoutException} saying which timeout fired.</li>
 *   <li>{@link ClosedChannelException} becomes {@link ConnectionShutdownException}
 *       (a local close or shutdown closed the transport under the call), except
 *       {@link ClosedByInterruptException}, which the caller's own interrupt
 *       caused and which stays as it is.</li>
 *   <li>A reset becomes {@link ConnectionResetException}. The JDK reports resets
 *       as plain {@link IOException}s told apart only by their message ("Connection
 *       reset", "Broken pipe"), so {@link #isReset} reads the message text: this
 *       is unavoidable, and it is done here and nowhere else.</li>
 *   <li>Everything else, {@link FrameConnException}s included, stays as it is.</li>
 * </ul>
 */
final class ErrorTranslator {
    private final Transport wire;
    private final Deadlines deadlines;
    private final Lifecycle lifecycle;
    /** Which timeout fired, null until the watchdog fired; set once. */
    private volatile FrameTimeoutException.Kind timedOut;

    ErrorTranslator(Transport wire, Deadlines deadlines, Lifecycle lifecycle) {
        this.wire = wire;
        this.deadlines = deadlines;
        this.lifecycle = lifecycle;
    }

    /**
     * The connection's timer fired with {@code kind}: remembers the first timeout and
     * aborts the transport, since a frame may be half transferred and the stream is
     * not trustworthy any more.
     */
    void timedOut(FrameTimeoutException.Kind kind) {
        if (timedOut == null) {
            timedOut = kind;
            FrameConnEvents.timedOut(wire.remoteAddress(), kind, lifecycle.started(), deadlines.idleTimeoutNanos());
        }
        wire.abort();
    }

    /**
     * What the caller of a transport call that threw {@code e} gets.
     *
     * @param e what the transport threw
     * @return the exception to throw instead (or {@code e} itself)
     */
    IOException translate(IOException e) {
        FrameTimeoutException.Kind kind = timedOut;
        if (kind != null) {
            // the timeout that fired, not the one in force now: shutdown has switched it off since
            Duration fired = kind == FrameTimeoutException.Kind.DEADLINE
                    ? Duration.ZERO : Duration.ofNanos(deadlines.expiredIdleNanos());
            return new FrameTimeoutException(kind, fired, e);
        }
        if (e instanceof FrameConnException || e instanceof ClosedByInterruptException) {
            return e;
        }
        if (e instanceof ClosedChannelException) {
            return lifecycle.closedUnder(e);
        }
        return isReset(e) ? new ConnectionResetException(e) : e;
    }

    /**
     * True if {@code e} reports a reset by the peer. Read from the message: the
     * JDK has no type for it (see the class comment).
     *
     * @param e an I/O error of the transport
     * @return whether it is a reset
     */
    static boolean isReset(IOException e) {
        String message = e.getMessage();
        return message != null && (message.contains("Connection reset") || message.contains("Broken pipe"));
    }
}
