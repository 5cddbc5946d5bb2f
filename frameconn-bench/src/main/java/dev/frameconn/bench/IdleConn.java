package dev.frameconn.bench;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.ShutdownResult;
import dev.frameconn.heartbeat.HeartbeatConfig;
import dev.frameconn.heartbeat.HeartbeatConn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One end of an idle connection as the idle workload holds it: a plain
 * {@link FrameConn}, or with {@code --idle-heartbeat} a {@link HeartbeatConn}
 * over it (default configuration but for the timing: the given send interval
 * and, as in zrepl, a peer timeout of twice that). Both ends of the workload
 * use the same kind, so heartbeats flow both ways.
 */
final class IdleConn {
    private final FrameConn conn;
    /** Null without heartbeats. */
    private final HeartbeatConn heartbeat;

    private IdleConn(FrameConn conn, HeartbeatConn heartbeat) {
        this.conn = conn;
        this.heartbeat = heartbeat;
    }

    /**
     * The connections' configuration at both ends: the defaults but for the idle
     * timeout, which is off, since sitting idle is the point of the workload
     * (the default 60 s would end plain connections while 18,000 open on a
     * loaded machine). With heartbeats the peer timeout takes its place.
     */
    static final FrameConnConfig CONFIG = FrameConnConfig.defaults().withIdleTimeout(Duration.ZERO);

    /** {@code conn} as it is if {@code heartbeat} is null, else under a HeartbeatConn sending at that interval. */
    static IdleConn over(FrameConn conn, Duration heartbeat) {
        if (heartbeat == null) {
            return new IdleConn(conn, null);
        }
        return new IdleConn(conn, HeartbeatConn.wrap(conn, config(heartbeat)));
    }

    /** The last configuration made, shared by the connections that follow, as an application would share one. */
    private static volatile HeartbeatConfig shared;

    /** The heartbeat configuration for a send interval: the defaults, peer timeout twice the interval. */
    static HeartbeatConfig config(Duration interval) {
        HeartbeatConfig c = shared;
        if (c == null || !c.sendInterval().equals(interval)) {
            c = HeartbeatConfig.defaults().withTiming(interval, interval.multipliedBy(2));
            shared = c;
        }
        return c;
    }

    /** The next application frame (heartbeats are consumed below). */
    Frame readFrame() throws IOException {
        return heartbeat != null ? heartbeat.readFrame() : conn.readFrame();
    }

    /** Writes one application frame. */
    void writeFrame(int type, ByteBuffer payload) throws IOException {
        if (heartbeat != null) {
            heartbeat.writeFrame(type, payload);
        } else {
            conn.writeFrame(type, payload);
        }
    }

    /** The shutdown handshake (the heartbeat layer's, which also stops its threads, if there is one). */
    ShutdownResult shutdown() {
        return heartbeat != null ? heartbeat.shutdown() : conn.shutdown();
    }

    /** Closes at once; idempotent. */
    void close() {
        if (heartbeat != null) {
            heartbeat.close();
        } else {
            conn.close();
        }
    }

    /** Heartbeats received so far; 0 without heartbeats. */
    long heartbeatsReceived() {
        return heartbeat != null ? heartbeat.heartbeatsReceived() : 0;
    }
}
