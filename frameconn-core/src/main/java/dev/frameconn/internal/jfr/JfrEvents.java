package dev.frameconn.internal.jfr;

import dev.frameconn.FrameTooLargeException;
import dev.frameconn.ShutdownReason;
import dev.frameconn.ShutdownResult;
import dev.frameconn.wire.FrameHeader;
import java.net.SocketAddress;

/**
 * Fills and commits the events. Only {@link FrameConnEvents} calls this class,
 * and only when module {@code jdk.jfr} is readable, so that the core runs on a
 * runtime without it: this is the one class besides the events that names
 * {@code jdk.jfr} types.
 *
 * <p>Each method first asks a probe instance whether its event type is enabled.
 * {@code Event.isEnabled()} reads only the state of the event type (is a
 * recording running with the event on), never the instance's, so one probe per
 * type can be shared by all threads; with recording off nothing is allocated.
 */
final class JfrEvents {
    private static final ShutdownEvent SHUTDOWN = new ShutdownEvent();
    private static final TimeoutEvent TIMEOUT = new TimeoutEvent();
    private static final ProtocolErrorEvent PROTOCOL_ERROR = new ProtocolErrorEvent();
    private static final FrameTooLargeEvent FRAME_TOO_LARGE = new FrameTooLargeEvent();
    private static final PeerTimeoutEvent PEER_TIMEOUT = new PeerTimeoutEvent();
    private static final StallEvent STALL = new StallEvent();

    private JfrEvents() {}

    static Object shutdownBegin() {
        if (!SHUTDOWN.isEnabled()) {
            return null;
        }
        ShutdownEvent event = new ShutdownEvent();
        event.begin();
        return event;
    }

    static void shutdownEnd(Object begun, SocketAddress remote, ShutdownReason reason, ShutdownReason peerReason,
            ShutdownResult result) {
        if (!(begun instanceof ShutdownEvent event)) {
            return; // recording was off when the shutdown began
        }
        event.end();
        if (!event.shouldCommit()) {
            return;
        }
        event.remoteAddress = String.valueOf(remote);
        event.clean = result.clean();
        event.failedStep = result.failedStep() == null ? "" : result.failedStep().label();
        event.error = result.error() == null ? "" : String.valueOf(result.error().getMessage());
        event.drainedBytes = result.drainedBytes();
        event.peerInitiated = result.peerInitiated();
        event.peerAnswered = result.peerAnswered();
        event.reason = reason == null ? "" : reason.toString();
        event.peerReason = peerReason == null ? "" : peerReason.toString();
        event.commit();
    }

    static void timeout(SocketAddress remote, String kind, long timeoutNanos) {
        if (!TIMEOUT.isEnabled()) {
            return;
        }
        TimeoutEvent event = new TimeoutEvent();
        event.remoteAddress = String.valueOf(remote);
        event.kind = kind;
        event.timeout = timeoutNanos;
        event.commit();
    }

    static void protocolError(SocketAddress remote, String layer, String message) {
        if (!PROTOCOL_ERROR.isEnabled()) {
            return;
        }
        ProtocolErrorEvent event = new ProtocolErrorEvent();
        event.remoteAddress = String.valueOf(remote);
        event.layer = layer;
        event.message = message;
        event.commit();
    }

    static void frameTooLarge(SocketAddress remote, FrameTooLargeException e) {
        if (!FRAME_TOO_LARGE.isEnabled()) {
            return;
        }
        FrameTooLargeEvent event = new FrameTooLargeEvent();
        event.remoteAddress = String.valueOf(remote);
        event.frameType = FrameHeader.typeToString(e.type());
        event.length = e.length();
        event.limit = e.maxLength();
        event.commit();
    }

    static void peerTimeout(SocketAddress remote, String direction, long peerTimeoutNanos) {
        if (!PEER_TIMEOUT.isEnabled()) {
            return;
        }
        PeerTimeoutEvent event = new PeerTimeoutEvent();
        event.remoteAddress = String.valueOf(remote);
        event.direction = direction;
        event.peerTimeout = peerTimeoutNanos;
        event.commit();
    }

    static void stall(SocketAddress remote, String direction, long stallTimeoutNanos) {
        if (!STALL.isEnabled()) {
            return;
        }
        StallEvent event = new StallEvent();
        event.remoteAddress = String.valueOf(remote);
        event.direction = direction;
        event.stallTimeout = stallTimeoutNanos;
        event.commit();
    }
}
