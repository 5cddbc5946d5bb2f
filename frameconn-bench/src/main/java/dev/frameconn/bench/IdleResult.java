package dev.frameconn.bench;

/**
 * What the idle workload measured: memory in the benchmark process (which
 * holds only the client ends) before the connections were opened and once all
 * of them sat idle, each with a virtual thread blocked in {@code readFrame}.
 * Heap is what a full GC left; direct is the JDK's "direct" buffer pool.
 *
 * @param connections connections held open at the second measurement
 * @param skipped why the workload did not run, or null
 * @param heapBefore heap used after full GCs, before opening
 * @param heapAfter heap used after full GCs, all connections idle
 * @param directBefore direct buffer bytes before opening
 * @param directAfter direct buffer bytes, all connections idle
 * @param settled whether both readings settled within the GCs allowed (else the figures are doubtful)
 * @param parked readers found parked (WAITING) at the second measurement
 * @param openNanos time to open every connection and see every greeting arrive
 * @param closeNanos time from the server's shutdown command until every reader ended
 * @param readersEnded readers that ended after the server's shutdown
 * @param cleanClient client ends whose shutdown handshake completed cleanly
 * @param cleanServer server ends (in the child) whose shutdown completed cleanly
 * @param unclean the first unclean shutdown seen on either end, or null
 */
record IdleResult(
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
        String unclean) {

    /** The target: heap plus direct memory per idle connection, at most 32 KiB. */
    static final long TARGET_BYTES_PER_CONNECTION = 32 << 10;

    /** A workload that could not run, and why. */
    static IdleResult skipped(int connections, String reason) {
        return new IdleResult(connections, reason, 0, 0, 0, 0, false, 0, 0, 0, 0, 0, 0, null);
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
}
