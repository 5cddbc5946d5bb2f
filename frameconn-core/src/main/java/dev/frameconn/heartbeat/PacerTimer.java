package dev.frameconn.heartbeat;

import dev.frameconn.internal.TimerQueue;
import dev.frameconn.time.Ticker;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The mechanism that runs a {@link HeartbeatConn}'s {@link Pacing}: one timer
 * in the {@link TimerQueue} of the connection's clock, so that pacing costs a
 * queue entry per connection, not a thread. When the timer fires it looks
 * (under the connection's lock), carries out what the look says (a heartbeat
 * is due: the send side starts one; a stall: the connection reports it and is
 * closed, off the timer thread) and re-arms itself for the next look. It does
 * no I/O and never blocks on the timer thread. The decisions are all in
 * {@link Pacing}.
 *
 * <p>Lock order: the connection's lock, then the queue's (the queue never
 * calls an action holding its own lock).
 */
final class PacerTimer {
    private final HeartbeatConn owner;
    private final Ticker ticker;
    private final Pacing pacing;
    private final TimerQueue.Timer timer;
    // guarded by lock, the connection's one lock
    private final ReentrantLock lock;
    private long nextLook;
    private boolean stopped;

    PacerTimer(HeartbeatConn owner, ReentrantLock lock, Pacing pacing) {
        this.owner = owner;
        this.ticker = owner.frameConn().config().ticker();
        this.pacing = pacing;
        this.lock = lock;
        this.timer = TimerQueue.of(ticker).newTimer(this::fire);
    }

    /** Takes the first look now and arms the timer for the next; does nothing once stopped. */
    void start() {
        lock.lock();
        try {
            lookLocked();
        } finally {
            lock.unlock();
        }
    }

    /** The timer's action, on the timer thread: must not block. */
    private void fire(TimerQueue.Timer self, long firedAt) {
        lock.lock(); // held only briefly by everyone, never across I/O
        try {
            lookLocked();
        } finally {
            lock.unlock();
        }
    }

    private void lookLocked() {
        if (stopped) {
            return; // a look the queue had taken off before close(): too late to act
        }
        // the clock now, not when the queue found the timer due: lastWrite may have moved meanwhile
        long now = ticker.nanoTime();
        Pacing.Look look = pacing.look(now, owner.lastWrite());
        if (look.heartbeatDue()) {
            owner.heartbeatDueLocked(now);
        }
        if (look.stall() != null) {
            owner.stalledLocked(look.stall()); // hands the close to a thread of its own
        }
        nextLook = now + look.waitNanos();
        timer.reschedule(nextLook);
    }

    /** A stall clock started at {@code now}: looks earlier if it could expire before the next look. */
    void wakeIfLateLocked(long now) {
        if (!stopped && pacing.clocks().mayExpireBefore(now, nextLook)) {
            nextLook = now + Math.max(pacing.clocks().nanosUntilExpiry(now), 0);
            timer.rescheduleIfEarlier(nextLook);
        }
    }

    /** The connection stops: no look after this. Under the lock. */
    void stopLocked() {
        stopped = true;
        timer.close();
    }
}
