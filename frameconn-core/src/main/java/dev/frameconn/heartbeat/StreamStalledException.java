package dev.frameconn.heartbeat;

import java.io.IOException;
import java.time.Duration;

/**
 * The peer is alive (its heartbeats arrive) but application data made no
 * progress for the stall timeout: a read waited that long without an
 * application frame arriving, or an application write could not hand its frame
 * to the operating system for that long because the peer does not read. The
 * connection was closed, since a frame may be half transferred.
 *
 * <p>zrepl's heartbeats kept such a peer alive for ever; this is the bound.
 */
public final class StreamStalledException extends IOException {
    /** Which way the data stalled. */
    public enum Direction {
        /** Nothing arrived for a waiting reader. */
        RECEIVE,
        /** The peer stopped taking our data. */
        SEND
    }

    private final Direction direction;
    private final Duration stallTimeout;

    StreamStalledException(Direction direction, Duration stallTimeout, Throwable cause) {
        super(direction == Direction.RECEIVE
                ? "frameconn: stream stalled: the peer sends heartbeats but no data arrived for stallTimeout="
                        + HeartbeatConn.format(stallTimeout)
                : "frameconn: stream stalled: the peer sends heartbeats but took none of our data for stallTimeout="
                        + HeartbeatConn.format(stallTimeout), cause);
        this.direction = direction;
        this.stallTimeout = stallTimeout;
    }

    /** Which way the data stalled. */
    public Direction direction() {
        return direction;
    }

    /** The stall timeout that expired. */
    public Duration stallTimeout() {
        return stallTimeout;
    }
}
