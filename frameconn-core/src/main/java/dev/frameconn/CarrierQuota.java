package dev.frameconn;

/**
 * The I/O quota of one direction of one connection, as an event loop's
 * per-channel quota: after {@link #QUOTA} of work (bytes moved, and
 * {@link #CALL_COST} per system call), a virtual thread yields its carrier.
 *
 * <p>Why: a virtual thread whose socket never blocks (the peer always keeps up,
 * or there is always data to read) is never preempted, so without a quota it
 * keeps its carrier while other connections' threads wait. A platform thread
 * never yields here: the operating system preempts it.
 *
 * <p>Cost per call: a subtraction and a compare; nothing is allocated. Not
 * thread-safe: one instance per direction, used by whoever holds that
 * direction's lock or pen.
 */
final class CarrierQuota {
    /** Work a virtual thread does before it lets the other virtual threads run. */
    static final int QUOTA = 256 << 10;
    /** Each I/O call counts as this many bytes, so that small reads and writes also use up the quota. */
    static final int CALL_COST = 4 << 10;

    /** Work left before the thread yields. */
    private long credit = QUOTA;

    /**
     * Counts one I/O call that moved {@code bytes} (negative: none, as at end of
     * stream), and yields the carrier if the quota is used up. Call it outside
     * any I/O timeout: waiting for a carrier is not a stalled peer.
     */
    void spend(long bytes) {
        credit -= Math.max(bytes, 0) + CALL_COST;
        if (credit <= 0) {
            yieldCarrier();
        }
    }

    // a deliberate fairness yield (Error Prone's ThreadPriorityCheck): without it one busy
    // connection keeps its carrier and starves the other virtual threads on it
    @SuppressWarnings("ThreadPriorityCheck")
    private void yieldCarrier() {
        credit = QUOTA;
        if (Thread.currentThread().isVirtual()) {
            Thread.yield();
        }
    }
}
