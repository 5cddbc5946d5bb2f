package dev.frameconn.heartbeat;

/**
 * What a {@link HeartbeatConn} reports: a service-provider interface whose
 * methods all default to doing nothing. Implementations must be thread-safe
 * and fast, and must not block; they run on the connection's background
 * threads, and {@link #stalled} on the timer thread that every connection of
 * the clock shares. One instance may
 * serve many connections.
 */
public interface HeartbeatMetrics {
    /** Reports nothing. */
    HeartbeatMetrics NOOP = new HeartbeatMetrics() {};

    /** A HEARTBEAT frame was written. */
    default void heartbeatSent() {}

    /** A HEARTBEAT frame arrived and was dropped. */
    default void heartbeatReceived() {}

    /** The peer sent nothing, not even a heartbeat, for the peer timeout. */
    default void peerTimedOut() {}

    /**
     * Application data stalled for the stall timeout while the peer was alive.
     *
     * @param direction which way the data stalled
     */
    default void stalled(StreamStalledException.Direction direction) {}
}
