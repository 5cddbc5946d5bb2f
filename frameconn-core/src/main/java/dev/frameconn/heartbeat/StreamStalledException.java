package dev.frameconn.heartbeat;

import dev.frameconn.FrameConnException;
import java.time.Duration;

/**
 * The peer is alive (its heartbeats arrive) but application data made no
 * progress for the stall timeout: reads waited that long in all without a
 * payload byte arriving, or writes and flushes were blocked that long in all
 * without the peer taking a payload byte. Frames with an empty payload do not
 * count as progress; see {@link HeartbeatConfig#stallTimeout()}. The
 * connection was closed, since a frame may be half transferred.
 *
 * <p>zrepl's heartbeats kept such a peer alive for ever; this is the bound.
 */
public final class StreamStalledException extends FrameConnException {
    /** Which way the data stalled. */
    public enum Direction {
        /** No payload byte arrived for a waiting reader. */
        RECEIVE,
        /** The peer stopped taking our payload bytes. */
        SEND
    }

    /** Which way the data stalled. */
    private final Direction direction;
    /** The stall timeout that expired. */
    private final Duration stallTimeout;

    StreamStalledException(Direction direction, Duration stallTimeout, Throwable cause) {
        super(direction == Direction.RECEIVE
                ? "frameconn: stream stalled: the peer is alive but no payload byte arrived for stallTimeout="
                        + HeartbeatConn.format(stallTimeout)
                : "frameconn: stream stalled: the peer is alive but took no payload byte for stallTimeout="
                        + HeartbeatConn.format(stallTimeout), cause);
        this.direction = direction;
        this.stallTimeout = stallTimeout;
    }

    /**
     * Which way the data stalled.
     *
     * @return the direction
     */
    public Direction direction() {
        return direction;
    }

    /**
     * The stall timeout that expired.
     *
     * @return the stall timeout
     */
    public Duration stallTimeout() {
        return stallTimeout;
    }
}
