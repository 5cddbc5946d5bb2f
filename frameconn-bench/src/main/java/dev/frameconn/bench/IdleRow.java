package dev.frameconn.bench;

/**
 * What the idle workload measured at one connection count: memory in the
 * benchmark process (which holds only the client ends) before the connections
 * were opened and once all of them sat idle, each with a virtual thread
 * blocked in {@code readFrame}; then, optionally, the CPU both processes spent
 * over a window while they sat idle; then the shutdown of all of them. Heap is
 * what a full GC left; direct is the JDK's "direct" buffer pool.
 *
 * @param connections connections held open at the second measurement
 * @param skipped why this size did not run, or null
 * @param heapBefore heap used after full GCs, before opening
 * @param heapAfter heap used after full GCs, all connections idle
 * @param directBefore direct buffer bytes before opening, or before the workload's first size if that was
 *        lower (direct memory an earlier size left for reuse counts against this one)
 * @param directAfter direct buffer bytes, all connections idle
 * @param settled whether both readings settled within the GCs allowed (else the figures are doubtful)
 * @param parked readers found parked (WAITING) at the second measurement
 * @param openNanos time to open every connection and see every greeting arrive
 * @param closeNanos time from the server's shutdown command until every reader ended
 * @param readersEnded readers that ended after the server's shutdown
 * @param cleanClient client ends whose shutdown handshake completed cleanly
 * @param cleanServer server ends (in the child) whose shutdown completed cleanly
 * @param unclean the first unclean shutdown seen on either end, or null
 * @param cpu the CPU window's readings, or null if none was taken
 */
record IdleRow(
        int connections,
        String skipped,
        long heapBefore,
        long heapAfter,
        long directBefore,
        long directAfter,
        boolean settled,
        int parked,
        long openNanos,
        long closeNanos,
        int readersEnded,
        int cleanClient,
        int cleanServer,
        String unclean,
        Cpu cpu) {

    /** Issue 10's target: heap plus direct memory per idle connection, at most 8 KiB. */
    static final long TARGET_BYTES_PER_CONNECTION = 8 << 10;

    /**
     * CPU time both processes used while every connection sat idle.
     *
     * @param windowNanos wall-clock length of the window
     * @param clientNanos CPU time of the benchmark process (the client ends) in the window
     * @param serverNanos CPU time of the server's child JVM in the window, or -1 if the OS did not say
     * @param heartbeatsReceived heartbeats the client ends received in the window (0 without heartbeats)
     */
    record Cpu(long windowNanos, long clientNanos, long serverNanos, long heartbeatsReceived) {
        /** Percent of one CPU per 1,000 connections: {@code cpuNanos} over the window, scaled to 1,000. */
        double percentPer1k(long cpuNanos, int connections) {
            return cpuNanos * 100.0 / windowNanos * 1000.0 / connections;
        }

        /** Heartbeats the client ends received per second. */
        double heartbeatsPerSecond() {
            return heartbeatsReceived * 1e9 / windowNanos;
        }
    }

    /** A size that could not run, and why. */
    static IdleRow skipped(int connections, String reason) {
        return new IdleRow(connections, reason, 0, 0, 0, 0, false, 0, 0, 0, 0, 0, 0, null, null);
    }

    /** Heap bytes per connection (rounded to the nearest byte). */
    long heapPerConnection() {
        return Math.round((heapAfter - heapBefore) / (double) connections);
    }

    /** Direct bytes per connection (rounded to the nearest byte). */
    long directPerConnection() {
        return Math.round((directAfter - directBefore) / (double) connections);
    }

    /** Heap and direct bytes per connection. */
    long totalPerConnection() {
        return Math.round((heapAfter - heapBefore + directAfter - directBefore) / (double) connections);
    }

    /** True if the total per connection is within {@link #TARGET_BYTES_PER_CONNECTION}. */
    boolean meetsTarget() {
        return totalPerConnection() <= TARGET_BYTES_PER_CONNECTION;
    }

    /** True if every connection's shutdown was clean at both ends. */
    boolean allClean() {
        return skipped == null && cleanClient == connections && cleanServer == connections;
    }

    /** The benchmark process's CPU per 1,000 connections in the window (% of one CPU), or NaN without one. */
    double clientCpuPer1k() {
        return cpu == null ? Double.NaN : cpu.percentPer1k(cpu.clientNanos(), connections);
    }

    /** The server child's CPU per 1,000 connections in the window (% of one CPU), or NaN if unknown. */
    double serverCpuPer1k() {
        return cpu == null || cpu.serverNanos() < 0 ? Double.NaN : cpu.percentPer1k(cpu.serverNanos(), connections);
    }
}
