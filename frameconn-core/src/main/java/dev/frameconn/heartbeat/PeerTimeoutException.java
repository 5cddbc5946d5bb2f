package dev.frameconn.heartbeat;

import dev.frameconn.FrameTimeoutException;
import dev.frameconn.FrameConnException;
import java.time.Duration;

/**
 * The peer showed no sign of life, not even a heartbeat, for the peer timeout:
 * it vanished, or the network between us drops everything. The cause is the
 * connection's {@link FrameTimeoutException}; the connection was closed.
 */
public final class PeerTimeoutException extends FrameConnException {
    /** The peer timeout that expired. */
    private final Duration peerTimeout;

    PeerTimeoutException(Duration peerTimeout, FrameTimeoutException cause) {
        super(message(peerTimeout, cause), cause);
        this.peerTimeout = peerTimeout;
    }

    private static String message(Duration peerTimeout, FrameTimeoutException cause) {
        String what = cause.kind() == FrameTimeoutException.Kind.WRITE_IDLE
                ? "accepted no data and sent no heartbeat"
                : "sent nothing, not even a heartbeat,";
        return "frameconn: peer timed out: it " + what + " for peerTimeout=" + HeartbeatConn.format(peerTimeout);
    }

    /**
     * The peer timeout that expired.
     *
     * @return the peer timeout
     */
    public Duration peerTimeout() {
        return peerTimeout;
    }
}
