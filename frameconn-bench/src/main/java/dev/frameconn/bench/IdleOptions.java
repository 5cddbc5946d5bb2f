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
 */
record IdleOptions(List<Integer> sizes, Duration heartbeat, long cpuWindowNanos) {
    /** The largest count: the file limit here is 20,000 per process and cannot be raised. */
    static final int MAX_CONNECTIONS = 18_000;
    /** Default window with heartbeats: four intervals of 5 s. */
    static final Duration DEFAULT_CPU_WINDOW = Duration.ofSeconds(20);

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
        if (cpuWindowNanos < 0) {
            throw new IllegalArgumentException("--idle-cpu-window=" + cpuWindowNanos + " ns must be >= 0");
        }
    }
}
