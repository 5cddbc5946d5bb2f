package dev.frameconn.bench;

import java.util.List;

/**
 * What the idle workload measured: one {@link IdleRow} per connection count,
 * in the order run, under one setting (with or without heartbeats).
 *
 * @param options the workload's settings
 * @param rows one per size of {@link IdleOptions#sizes()}
 */
record IdleResult(IdleOptions options, List<IdleRow> rows) {
    /** Issue 10's target: heartbeat CPU per 1,000 connections at the largest size within 1.5x the smallest's. */
    static final double TARGET_CPU_GROWTH = 1.5;

    /** Copies {@code rows}. */
    IdleResult {
        rows = List.copyOf(rows);
    }

    /** True if the connections carried heartbeats. */
    boolean heartbeats() {
        return options.heartbeat() != null;
    }

    /**
     * The client's CPU per 1,000 connections at the largest measured size over
     * that at the smallest, or NaN unless two sizes have a CPU reading.
     */
    double cpuGrowth() {
        IdleRow smallest = null;
        IdleRow largest = null;
        for (IdleRow r : rows) {
            if (r.cpu() == null) {
                continue;
            }
            if (smallest == null || r.connections() < smallest.connections()) {
                smallest = r;
            }
            if (largest == null || r.connections() > largest.connections()) {
                largest = r;
            }
        }
        if (smallest == null || smallest.connections() == largest.connections()) {
            return Double.NaN;
        }
        return largest.clientCpuPer1k() / smallest.clientCpuPer1k();
    }
}
