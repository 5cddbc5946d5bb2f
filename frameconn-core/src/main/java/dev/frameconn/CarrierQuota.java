package dev.frameconn;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The I/O quota of one direction of one connection, as an event loop's
 * per-channel quota: after {@link #QUOTA} of work (bytes moved, and
 * {@link #CALL_COST} per system call), a virtual thread gives up its carrier.
 *
 * <p>Why: a virtual thread whose socket never blocks (the peer always keeps up,
 * or there is always data to read) is never preempted, so without a quota it
 * keeps its carrier while other connections' threads wait. A platform thread
 * never gives way here: the operating system preempts it.
 *
 * <p>How it gives way depends on how many connections are busy in this
 * process. With few ({@link #crowded} false: no more than
 * {@link #CROWD_PER_CARRIER} quota holders per carrier ran out of quota in the
 * last {@link #WINDOW_SHIFT window}), {@link Thread#yield()}: cheap, and enough
 * when every thread can have a carrier. With many, {@code Thread.yield} is not
 * enough: the JDK (21 to at least 25) puts a yielding virtual thread back on
 * its carrier's own queue whenever that queue is not empty, and a carrier runs
 * its own queue until it is empty before it looks at anything else. A few
 * connections whose sockets never block then take turns on one carrier
 * indefinitely, while every thread that waits in a shared queue (threads woken
 * by a platform thread, the JDK's I/O poller threads that were parked, and so
 * every connection blocked on its socket) waits for that queue to drain. In
 * the bench, at 256 connections on 2 carriers, one connection moved 1,258
 * frames of 64 KiB in a round where the median connection moved 8. When
 * crowded, the quota therefore parks the thread for the shortest time instead:
 * the JDK's timer thread, a platform thread, then puts it at the end of one
 * shared queue, behind every other thread that did the same, so busy
 * connections take turns in first-in first-out order. That costs a timer task
 * and a wake-up of the timer thread per quota, which is why a thread that has
 * a carrier to itself does not pay it.
 *
 * <p>Cost per call: a subtraction and a compare; per quota, one
 * {@link System#nanoTime()} and a read of a shared counter (written once per
 * window per quota holder). Not thread-safe: one instance per direction, used
 * by whoever holds that direction's lock or pen.
 */
final class CarrierQuota {
    /** Work a virtual thread does before it lets the other virtual threads run. */
    static final int QUOTA = 256 << 10;
    /** Each I/O call counts as this many bytes, so that small reads and writes also use up the quota. */
    static final int CALL_COST = 4 << 10;
    /**
     * A window of busy-ness is 2^24 ns (about 17 ms): a quota holder that ran
     * out of quota in this window or the one before counts as busy.
     */
    static final int WINDOW_SHIFT = 24;
    /** Busy quota holders per carrier above which threads give way by parking rather than yielding. */
    static final int CROWD_PER_CARRIER = 2;
    /** Busy quota holders above which the process is crowded (virtual-thread carriers: as many as CPUs, by default). */
    private static final int CROWD = CROWD_PER_CARRIER * Math.max(1, Integer.getInteger(
            "jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors()));
    private static final long COUNT_MASK = 0xFFFF;
    /**
     * Process-wide busy count, packed so that one compare-and-set moves it:
     * window number (bits 63–32, its low 32 bits), busy holders in the window
     * before (31–16), busy holders in this window (15–0).
     */
    private static final AtomicLong BUSY = new AtomicLong();

    /** Work left before the thread gives way. */
    private long credit = QUOTA;
    /** The window in which this holder last counted itself busy ({@code -1}: never). */
    private long countedWindow = -1;

    /**
     * Counts one I/O call that moved {@code bytes} (negative: none, as at end of
     * stream), and gives the carrier away if the quota is used up. Call it
     * outside any I/O timeout: waiting for a carrier is not a stalled peer.
     */
    void spend(long bytes) {
        credit -= Math.max(bytes, 0) + CALL_COST;
        if (credit <= 0) {
            giveWay();
        }
    }

    // a deliberate fairness yield (Error Prone's ThreadPriorityCheck): without it one busy
    // connection keeps its carrier and starves the other virtual threads on it
    @SuppressWarnings("ThreadPriorityCheck")
    private void giveWay() {
        credit = QUOTA;
        Thread self = Thread.currentThread();
        if (!self.isVirtual()) {
            return;
        }
        // the real clock, not the connection's Ticker: this is the process's CPU shared by every connection
        long window = System.nanoTime() >>> WINDOW_SHIFT;
        if (window != countedWindow) {
            countedWindow = window;
            countBusy(window);
        }
        if (crowded(window) && !self.isInterrupted()) {
            // an interrupted thread would not park: then it yields below instead
            LockSupport.parkNanos(1);
        } else {
            Thread.yield();
        }
    }

    /** Adds one busy holder to {@code window}'s count. */
    private static void countBusy(long window) {
        long w = window & 0xFFFF_FFFFL;
        while (true) {
            long s = BUSY.get();
            long at = s >>> 32;
            long next;
            if (at == w) {
                next = (s & COUNT_MASK) == COUNT_MASK ? s : s + 1;
            } else if (at == ((w - 1) & 0xFFFF_FFFFL)) {
                next = (w << 32) | ((s & COUNT_MASK) << 16) | 1;
            } else {
                next = (w << 32) | 1;
            }
            if (BUSY.compareAndSet(s, next)) {
                return;
            }
        }
    }

    /** True if more than {@link #CROWD} holders were busy in {@code window} or the one before. */
    static boolean crowded(long window) {
        long s = BUSY.get();
        long at = s >>> 32;
        long w = window & 0xFFFF_FFFFL;
        long busy;
        if (at == w) {
            busy = Math.max(s & COUNT_MASK, (s >>> 16) & COUNT_MASK);
        } else if (at == ((w - 1) & 0xFFFF_FFFFL)) {
            busy = s & COUNT_MASK;
        } else {
            busy = 0;
        }
        return busy > CROWD;
    }
}
