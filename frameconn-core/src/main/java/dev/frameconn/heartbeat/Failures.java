package dev.frameconn.heartbeat;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.ShutdownResult;
import dev.frameconn.internal.VarHandles;
import dev.frameconn.internal.jfr.FrameConnEvents;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * How a {@link HeartbeatConn} names the connection's failures, in one place: a
 * failure after a stall is a {@link StreamStalledException}, an idle timeout
 * is a {@link PeerTimeoutException} (the idle timeout is the peer timeout
 * here), anything else stays as it is. Each is reported to the metrics and
 * Flight Recorder once.
 */
final class Failures {
    private static final VarHandle PEER_TIMEOUT_COUNTED =
            VarHandles.field(MethodHandles.lookup(), "peerTimeoutCounted", boolean.class);

    private final FrameConn conn;
    private final HeartbeatConfig config;
    // a field, not an AtomicBoolean: one object less per connection
    @SuppressWarnings("UnusedVariable") // used through PEER_TIMEOUT_COUNTED
    private volatile boolean peerTimeoutCounted;
    private volatile StreamStalledException.Direction stalled;

    Failures(FrameConn conn, HeartbeatConfig config) {
        this.conn = conn;
        this.config = config;
    }

    /** A stall clock expired: from now on every failure is that stall. Called once. */
    void stalled(StreamStalledException.Direction s) {
        stalled = s;
        config.metrics().stalled(s);
        FrameConnEvents.stalled(conn.remoteAddress(), s, config.stallTimeout());
    }

    /** The direction that stalled, or null. */
    StreamStalledException.Direction stalledDirection() {
        return stalled;
    }

    /** A failure of the connection as this layer reports it: a stall, a peer timeout, or as it is. */
    IOException translate(IOException e) {
        StreamStalledException.Direction s = stalled;
        if (s != null) {
            return stalledException(s, e);
        }
        if (e instanceof FrameTimeoutException t && t.kind() != FrameTimeoutException.Kind.DEADLINE) {
            if (PEER_TIMEOUT_COUNTED.compareAndSet(this, false, true)) {
                config.metrics().peerTimedOut();
                FrameConnEvents.peerTimedOut(conn.remoteAddress(), config.peerTimeout(), t);
            }
            return new PeerTimeoutException(config.peerTimeout(), t);
        }
        return e;
    }

    StreamStalledException stalledException(StreamStalledException.Direction s, Throwable cause) {
        return new StreamStalledException(s, config.stallTimeout(), cause);
    }

    /**
     * A shutdown that failed on the connection's idle timeout failed on the peer
     * timeout: says so, as reads and writes do, with the connection's exception
     * as the cause.
     */
    ShutdownResult namingThePeerTimeout(ShutdownResult r) {
        Throwable e = r.error();
        FrameTimeoutException t = e instanceof FrameTimeoutException f ? f
                : e != null && e.getCause() instanceof FrameTimeoutException f ? f : null;
        if (t == null || t.kind() == FrameTimeoutException.Kind.DEADLINE) {
            return r;
        }
        return new ShutdownResult(r.clean(), r.failedStep(), new PeerTimeoutException(config.peerTimeout(), t),
                r.drainedBytes(), r.peerInitiated(), r.peerAnswered(), r.duration());
    }
}
