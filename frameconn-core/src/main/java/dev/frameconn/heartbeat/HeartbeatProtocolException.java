package dev.frameconn.heartbeat;

import dev.frameconn.FrameConnException;

/**
 * The peer sent a frame whose type uses the heartbeat layer's reserved bits
 * 24..27 but is not HEARTBEAT. The connection's reader stopped; only shutdown
 * or close remain useful.
 */
public final class HeartbeatProtocolException extends FrameConnException {
    HeartbeatProtocolException(String message) {
        super("frameconn: heartbeat protocol error: " + message);
    }
}
