package dev.frameconn.metrics;

/**
 * What a connection reports about itself: a service-provider interface whose
 * methods all default to doing nothing.
 *
 * <p>Implementations must be thread-safe and fast: the frame methods run on the
 * read and write paths of every frame. With the default {@link #NOOP} the JIT
 * removes the calls. One instance may serve many connections.
 *
 * <p>The shutdown figures are those of zrepl's frameconn
 * ({@code shutdown_seconds}, {@code shutdown_drain_seconds},
 * {@code shutdown_drain_bytes_read}, {@code shutdown_hard_closes{step}},
 * {@code shutdown_close_errors{step}}); the frame counters are ours.
 */
public interface FrameConnMetrics {
    /** Reports nothing. */
    FrameConnMetrics NOOP = new FrameConnMetrics() {};

    /**
     * A frame was handed to the reader ({@code payloadLength} excludes the header).
     *
     * @param type the frame type
     * @param payloadLength the payload length in bytes
     */
    default void frameRead(int type, int payloadLength) {}

    /**
     * A frame was accepted by a write: handed to the operating system, or staged
     * for the next gathering write ({@code payloadLength} excludes the header).
     *
     * @param type the frame type
     * @param payloadLength the payload length in bytes
     */
    default void frameWritten(int type, int payloadLength) {}

    /**
     * A shutdown ended, after {@code nanos} in all (shutdown_seconds).
     *
     * @param nanos duration of the shutdown in nanoseconds
     */
    default void shutdownCompleted(long nanos) {}

    /**
     * The shutdown drain ended after {@code nanos}, having discarded {@code bytes}.
     *
     * @param nanos duration of the drain in nanoseconds
     * @param bytes bytes discarded
     */
    default void shutdownDrained(long nanos, long bytes) {}

    /**
     * A shutdown step failed and the connection was closed abortively.
     *
     * @param step the step that failed
     */
    default void shutdownHardClose(ShutdownStep step) {}

    /**
     * The final close of a shutdown reported an error (reset by peer is not one).
     *
     * @param step the step whose close failed
     */
    default void shutdownCloseError(ShutdownStep step) {}
}
