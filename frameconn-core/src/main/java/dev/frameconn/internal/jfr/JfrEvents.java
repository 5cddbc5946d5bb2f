package dev.frameconn.internal.jfr;

import dev.frameconn.FrameTooLargeException;
import dev.frameconn.ShutdownReason;
import dev.frameconn.ShutdownResult;
import dev.frameconn.wire.FrameHeader;
import java.net.SocketAddress;
import jdk.jfr.FlightRecorder;

/**
 * Fills and commits the events. Only {@link FrameConnEvents} calls this class,
 * and only when module {@code jdk.jfr} is readable, so that the core runs on a
 * runtime without it: this is the one class besides the events that names
 * {@code jdk.jfr} types.
 *
 * <p>Each method first asks whether the Flight Recorder was ever started in this
 * JVM ({@link FlightRecorder#isInitialized()}, a field read). Until it was, no
 * event class is loaded: loading the first one starts the recorder's machinery,
 * which takes from a few hundred milliseconds to seconds, and that must not land
 * in an application's first shutdown when nobody records. Then each method asks
 * a probe instance whether its event type is enabled: {@code Event.isEnabled()}
 * reads only the state of the event type (is a recording running with the event
 * on), never the instance's, so one probe per type, made when the type is first
 * needed, serves all threads; with the event off nothing is allocated.
 */
final class JfrEvents {
    private JfrEvents() {}

    // one holder per event type, so that a hook loads only its own event class
    private static final class Shutdown {
        static final ShutdownEvent PROBE = new ShutdownEvent();
    }

    private static final class Timeout {
        static final TimeoutEvent PROBE = new TimeoutEvent();
    }

    private static final class ProtocolError {
        static final ProtocolErrorEvent PROBE = new ProtocolErrorEvent();
    }

    private static final class FrameTooLarge {
        static final FrameTooLargeEvent PROBE = new FrameTooLargeEvent();
    }

    private static final class PeerTimeout {
        static final PeerTimeoutEvent PROBE = new PeerTimeoutEvent();
    }

    private static final class Stall {
        static final StallEvent PROBE = new StallEvent();
    }

    static Object shutdownBegin() {
        if (!FlightRecorder.isInitialized() || !Shutdown.PROBE.isEnabled()) {
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
        if (!FlightRecorder.isInitialized() || !Timeout.PROBE.isEnabled()) {
            return;
        }
        TimeoutEvent event = new TimeoutEvent();
        event.remoteAddress = String.valueOf(remote);
        event.kind = kind;
        event.timeout = timeoutNanos;
        event.commit();
    }

    static void protocolError(SocketAddress remote, String layer, String message) {
        if (!FlightRecorder.isInitialized() || !ProtocolError.PROBE.isEnabled()) {
            return;
        }
        ProtocolErrorEvent event = new ProtocolErrorEvent();
        event.remoteAddress = String.valueOf(remote);
        event.layer = layer;
        event.message = message;
        event.commit();
    }

    static void frameTooLarge(SocketAddress remote, FrameTooLargeException e) {
        if (!FlightRecorder.isInitialized() || !FrameTooLarge.PROBE.isEnabled()) {
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
        if (!FlightRecorder.isInitialized() || !PeerTimeout.PROBE.isEnabled()) {
            return;
        }
        PeerTimeoutEvent event = new PeerTimeoutEvent();
        event.remoteAddress = String.valueOf(remote);
        event.direction = direction;
        event.peerTimeout = peerTimeoutNanos;
        event.commit();
    }

    static void stall(SocketAddress remote, String direction, long stallTimeoutNanos) {
        if (!FlightRecorder.isInitialized() || !Stall.PROBE.isEnabled()) {
            return;
        }
        StallEvent event = new StallEvent();
        event.remoteAddress = String.valueOf(remote);
        event.direction = direction;
        event.stallTimeout = stallTimeoutNanos;
        event.commit();
    }
}
