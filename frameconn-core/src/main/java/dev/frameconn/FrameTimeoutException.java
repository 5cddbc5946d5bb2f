package dev.frameconn;

import java.time.Duration;

/**
 * A read or write made no progress for the idle timeout, or ran past the
 * absolute deadline (as set by shutdown). A frame may have been half
 * transferred, so the connection is broken: it was closed abortively and only
 * {@code shutdown} or {@code close} remain.
 */
public final class FrameTimeoutException extends FrameConnException {
    /** What expired. */
    public enum Kind {
        /** No read progress for the idle timeout. */
        READ_IDLE,
        /** No write progress for the idle timeout. */
        WRITE_IDLE,
        /** The absolute deadline passed. */
        DEADLINE
    }

    /** What expired. */
    private final Kind kind;
    /** The idle timeout that expired, or zero for a deadline. */
    private final Duration timeout;

    FrameTimeoutException(Kind kind, Duration timeout, Throwable cause) {
        super(message(kind, timeout), cause);
        this.kind = kind;
        this.timeout = timeout;
    }

    private static String message(Kind kind, Duration timeout) {
        return switch (kind) {
            case READ_IDLE -> "frameconn: read timed out: no data for idleTimeout=" + timeout;
            case WRITE_IDLE -> "frameconn: write timed out: the peer accepted no data for idleTimeout=" + timeout;
            case DEADLINE -> "frameconn: deadline exceeded";
        };
    }

    /**
     * What expired.
     *
     * @return the kind of timeout
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The idle timeout that expired, or {@link Duration#ZERO} for a deadline.
     *
     * @return the idle timeout, or zero
     */
    public Duration timeout() {
        return timeout;
    }
}
