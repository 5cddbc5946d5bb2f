package dev.frameconn.bench;

import java.time.Duration;
import java.util.List;

/**
 * The idle workload's settings.
 *
 * @param sizes connection counts, one measurement each, in this order (each needs a file descriptor per
 *        connection in this process and another in the server's child JVM)
 * @param heartbeat null: plain FrameConns; else a HeartbeatConn over every connection, both ends, sending
 *        at this interval
 * @param cpuWindowNanos 0: no CPU reading; else how long the connections sit idle while both processes'
 *        CPU time is read, after the memory readings
 * @param warmupConnections connections opened and shut down before each size's "before" reading, at
 *        most {@link IdleWorkload#WARMUP_CONNECTIONS} at a time
 */
record IdleOptions(List<Integer> sizes, Duration heartbeat, long cpuWindowNanos, int warmupConnections) {
    /** The largest count: the file limit here is 20,000 per process and cannot be raised. */
    static final int MAX_CONNECTIONS = 18_000;
    /** Default window with heartbeats: four intervals of 5 s. */
    static final Duration DEFAULT_CPU_WINDOW = Duration.ofSeconds(20);
    /**
     * Default warm-up: 6,000 connections run every per-connection method more often
     * than HotSpot's C2 invocation threshold (Tier4InvocationThreshold, 5,000), so
     * that the connections measured park in compiled frames, as on a server that
     * has been up a while. A virtual thread parked in interpreted frames keeps a
     * stack chunk two to three times the size: after a warm-up of 100, the
     * 1,000-connection heartbeat row measured 6.7 KB of stack chunks per
     * connection, after 6,000 3.0 KB.
     */
    static final int DEFAULT_WARMUP_CONNECTIONS = 6_000;
    /** The longest warm-up accepted: ports in TIME_WAIT after it must not run the loopback range out. */
    static final int MAX_WARMUP_CONNECTIONS = 20_000;

    /** Checks the values; messages say {@code name=value}. */
    IdleOptions {
        sizes = List.copyOf(sizes);
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("--idle-connections selects no size");
        }
        for (int n : sizes) {
            if (n < 1 || n > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("--idle-connections=" + n + " must be in 1.." + MAX_CONNECTIONS);
            }
        }
        if (heartbeat != null && (heartbeat.isNegative() || heartbeat.isZero())) {
            throw new IllegalArgumentException("--idle-heartbeat=" + heartbeat + " must be positive");
        }
        if (warmupConnections < 1 || warmupConnections > MAX_WARMUP_CONNECTIONS) {
            throw new IllegalArgumentException("--idle-warmup=" + warmupConnections + " must be in 1.."
                    + MAX_WARMUP_CONNECTIONS);
        }
        if (cpuWindowNanos < 0) {
            throw new IllegalArgumentException("--idle-cpu-window=" + cpuWindowNanos + " ns must be >= 0");
        }
    }
}
