package dev.frameconn.internal.jfr;

import dev.frameconn.FrameProtocolException;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.FrameTooLargeException;
import dev.frameconn.ShutdownReason;
import dev.frameconn.ShutdownResult;
import dev.frameconn.heartbeat.HeartbeatProtocolException;
import dev.frameconn.heartbeat.StreamStalledException;
import dev.frameconn.stream.StreamProtocolException;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * The JDK Flight Recorder hooks of frameconn: the one call each place in the
 * core and in TLS makes where an outcome is known. All logic lives here and in
 * the package-private event classes, so a hook stays one line.
 *
 * <h2>Events</h2>
 * <table>
 *   <caption>Events, all in category {@code frameconn}</caption>
 *   <tr><th>name</th><th>fields</th><th>when</th></tr>
 *   <tr><td>{@code frameconn.Shutdown}</td><td>remoteAddress, clean, failedStep, error,
 *       drainedBytes, peerInitiated, peerAnswered, reason, peerReason; duration</td>
 *       <td>each {@code FrameConn.shutdown}, when its result is known</td></tr>
 *   <tr><td>{@code frameconn.Timeout}</td><td>remoteAddress, kind (read, write, deadline,
 *       shutdown, handshake), timeout</td><td>a timeout closes a connection</td></tr>
 *   <tr><td>{@code frameconn.ProtocolError}</td><td>remoteAddress, layer (frame,
 *       heartbeat, stream), message</td><td>a peer's protocol violation breaks a read side</td></tr>
 *   <tr><td>{@code frameconn.FrameTooLarge}</td><td>remoteAddress, frameType, length,
 *       limit</td><td>a header announces more than {@code maxPayloadLength}</td></tr>
 *   <tr><td>{@code frameconn.PeerTimeout}</td><td>remoteAddress, direction (read,
 *       write), peerTimeout</td><td>once per heartbeat connection whose peer fell silent</td></tr>
 *   <tr><td>{@code frameconn.Stall}</td><td>remoteAddress, direction (receive, send),
 *       stallTimeout</td><td>a heartbeat connection closed for a stall</td></tr>
 * </table>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>No hook is on the per-frame path.</b> Each runs once per connection
 *       (shutdown) or on a failure that ends a connection's read side or the
 *       connection itself.</li>
 *   <li><b>Nothing is allocated while no recording has the event on</b>: each
 *       hook costs a static test and an enabled check. Until the Flight
 *       Recorder is started in this JVM (by {@code -XX:StartFlightRecording},
 *       {@code jcmd JFR.start}, a {@code Recording}), not even an event class
 *       is loaded, since loading the first one starts the recorder's
 *       machinery.</li>
 *   <li><b>Module {@code jdk.jfr} is optional</b> ({@code requires static}):
 *       when it is not in the runtime (a jlinked image without it) or not read,
 *       every hook returns at once and no {@code jdk.jfr} class is loaded.</li>
 *   <li>Hooks never throw and never block on I/O.</li>
 * </ul>
 */
public final class FrameConnEvents {
    /** jdk.jfr is in this runtime and readable by the core: decided once, so that the JIT folds the test. */
    private static final boolean AVAILABLE = jfrReadable();

    private FrameConnEvents() {}

    private static boolean jfrReadable() {
        Module self = FrameConnEvents.class.getModule();
        ModuleLayer layer = self.getLayer() != null ? self.getLayer() : ModuleLayer.boot();
        // no lambda here: the first one in a JVM costs milliseconds of bootstrapping
        Optional<Module> jfr = layer.findModule("jdk.jfr");
        return jfr.isPresent() && self.canRead(jfr.get());
    }

    /**
     * True if events can be recorded at all: module {@code jdk.jfr} is present and read.
     *
     * @return whether JFR events can be recorded
     */
    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * A shutdown begins: returns an opaque token for {@link #shutdownEnd}, null
     * when the event is not being recorded (then nothing was allocated).
     *
     * @return the token, or null
     */
    public static Object shutdownBegin() {
        return AVAILABLE ? JfrEvents.shutdownBegin() : null;
    }

    /**
     * A shutdown that began with {@link #shutdownBegin} ended with {@code result}.
     *
     * @param begun the token from {@link #shutdownBegin}, or null (nothing is recorded)
     * @param remote the peer's address
     * @param reason the reason sent in the RST, or null
     * @param peerReason the reason in the peer's RST, or null
     * @param result how the shutdown went
     */
    public static void shutdownEnd(Object begun, SocketAddress remote, ShutdownReason reason,
            ShutdownReason peerReason, ShutdownResult result) {
        if (begun != null) {
            JfrEvents.shutdownEnd(begun, remote, reason, peerReason, result);
        }
    }

    /**
     * The framing's read side broke with {@code e}: records a protocol error or
     * an oversized frame; other failures (end of stream, reset, timeout) are not
     * recorded here.
     *
     * @param remote the peer's address
     * @param e the failure
     */
    public static void readFailed(SocketAddress remote, IOException e) {
        if (!AVAILABLE) {
            return;
        }
        if (e instanceof FrameTooLargeException tooLarge) {
            JfrEvents.frameTooLarge(remote, tooLarge);
        } else if (e instanceof FrameProtocolException) {
            JfrEvents.protocolError(remote, "frame", e.getMessage());
        }
    }

    /**
     * The heartbeat layer's reader ended with {@code e}: records it if it is the layer's protocol error.
     *
     * @param remote the peer's address
     * @param e the failure
     */
    public static void heartbeatReadFailed(SocketAddress remote, IOException e) {
        if (AVAILABLE && e instanceof HeartbeatProtocolException) {
            JfrEvents.protocolError(remote, "heartbeat", e.getMessage());
        }
    }

    /**
     * A stream's receiving side broke with {@code e}: records it if it is the stream layer's protocol error.
     *
     * @param remote the peer's address
     * @param e the failure
     */
    public static void streamReadFailed(SocketAddress remote, IOException e) {
        if (AVAILABLE && e instanceof StreamProtocolException) {
            JfrEvents.protocolError(remote, "stream", e.getMessage());
        }
    }

    /**
     * A connection's timer fired with {@code kind}; a deadline passing while
     * {@code shuttingDown} is the shutdown's.
     *
     * @param remote the peer's address
     * @param kind which timeout fired
     * @param shuttingDown whether a shutdown was in progress
     * @param idleTimeoutNanos the idle timeout in force, in nanoseconds
     */
    public static void timedOut(SocketAddress remote, FrameTimeoutException.Kind kind, boolean shuttingDown,
            long idleTimeoutNanos) {
        if (!AVAILABLE) {
            return;
        }
        switch (kind) {
            case READ_IDLE -> JfrEvents.timeout(remote, "read", idleTimeoutNanos);
            case WRITE_IDLE -> JfrEvents.timeout(remote, "write", idleTimeoutNanos);
            case DEADLINE -> JfrEvents.timeout(remote, shuttingDown ? "shutdown" : "deadline", 0);
        }
    }

    /**
     * A TLS handshake did not finish within {@code timeout}.
     *
     * @param remote the peer's address
     * @param timeout the handshake timeout
     */
    public static void handshakeTimedOut(SocketAddress remote, Duration timeout) {
        if (AVAILABLE) {
            JfrEvents.timeout(remote, "handshake", timeout.toNanos());
        }
    }

    /**
     * A heartbeat connection's peer timed out; {@code cause} says whether a read or a write noticed.
     *
     * @param remote the peer's address
     * @param peerTimeout the peer timeout that expired
     * @param cause the timeout that a read or write met
     */
    public static void peerTimedOut(SocketAddress remote, Duration peerTimeout, FrameTimeoutException cause) {
        if (AVAILABLE) {
            JfrEvents.peerTimeout(remote, cause.kind() == FrameTimeoutException.Kind.WRITE_IDLE ? "write" : "read",
                    peerTimeout.toNanos());
        }
    }

    /**
     * A heartbeat connection was closed for a stall in {@code direction}.
     *
     * @param remote the peer's address
     * @param direction which way the data stalled
     * @param stallTimeout the stall timeout that expired
     */
    public static void stalled(SocketAddress remote, StreamStalledException.Direction direction,
            Duration stallTimeout) {
        if (AVAILABLE) {
            JfrEvents.stall(remote, direction == StreamStalledException.Direction.SEND ? "send" : "receive",
                    stallTimeout.toNanos());
        }
    }
}
