package dev.frameconn.heartbeat;

import dev.frameconn.time.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The mechanism that runs a {@link HeartbeatConn}'s {@link Pacing}: one thread
 * that sleeps until the next heartbeat or stall could be due, looks, and
 * carries out what the look says (wake the sender; report a stall). It does
 * no I/O. The decisions are all in {@link Pacing}, so that another timer can
 * run them instead of this thread.
 */
final class PacerThread {
    /** Real-time polling period under a manual clock: 5 ms. */
    static final long MANUAL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final HeartbeatConn owner;
    private final Ticker ticker;
    private final boolean manualClock;
    private final Pacing pacing;
    // guarded by lock, the connection's one lock
    private final ReentrantLock lock;
    private final Condition wake;
    private long nextLook;
    private boolean stopped;

    PacerThread(HeartbeatConn owner, ReentrantLock lock, Pacing pacing) {
        this.owner = owner;
        this.ticker = owner.frameConn().config().ticker();
        this.manualClock = ticker != Ticker.system();
        this.pacing = pacing;
        this.lock = lock;
        this.wake = lock.newCondition();
    }

    /** The pacer thread's loop, until stopped. */
    void run() {
        lock.lock();
        try {
            while (!stopped) {
                long now = ticker.nanoTime();
                Pacing.Look look = pacing.look(now, owner.lastWrite());
                if (look.heartbeatDue()) {
                    owner.heartbeatDueLocked();
                }
                if (look.stall() != null) {
                    owner.stalledLocked(look.stall()); // a local close: does not block
                }
                long wait = look.waitNanos();
                if (manualClock) {
                    wait = Math.min(wait, MANUAL_POLL_NANOS); // a manual clock jumps without telling
                }
                nextLook = now + wait;
                if (wait > 0) {
                    wake.awaitNanos(wait);
                }
            }
        } catch (InterruptedException e) {
            // only close() would interrupt; it stops us anyway
        } finally {
            lock.unlock();
        }
    }

    /** A stall clock started at {@code now}: wakes the pacer if it could expire before the next look. */
    void wakeIfLateLocked(long now) {
        if (pacing.clocks().mayExpireBefore(now, nextLook)) {
            wake.signal();
        }
    }

    /** The connection stops: the pacer ends. Under the lock. */
    void stopLocked() {
        stopped = true;
        wake.signalAll();
    }
}
