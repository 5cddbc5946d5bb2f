package dev.frameconn.bench;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The budget and clock of one transfer round. Every sender waits for
 * {@link #awaitGo()}, then sends while {@code frames < }{@link #frameBudget()}
 * and not {@link #stopped()}, then ends its stream. A timed round gives every
 * sender the same time (what differs is how much gets through); a budgeted
 * round gives every connection the same number of frames (what differs is how
 * long they take).
 *
 * <p>{@link #start()} unparks every waiting sender itself. A latch would wake
 * them one after another (each woken thread wakes the next), and with 256
 * busy connections on 2 CPUs the last senders then started seconds late: the
 * spread measured the start cascade, not the transport.
 */
public final class Round {
    private final ConcurrentLinkedQueue<Thread> waiting = new ConcurrentLinkedQueue<>();
    private volatile boolean going;
    private final long durationNanos;
    private final long frameBudget;
    private volatile boolean stop;
    private volatile long startNanos;

    private Round(long durationNanos, long frameBudget) {
        this.durationNanos = durationNanos;
        this.frameBudget = frameBudget;
    }

    /** A round that lasts {@code durationNanos} from {@link #start()}. */
    public static Round timed(long durationNanos) {
        if (durationNanos <= 0) {
            throw new IllegalArgumentException("durationNanos=" + durationNanos + " must be > 0");
        }
        return new Round(durationNanos, Long.MAX_VALUE);
    }

    /** A round in which every connection sends exactly {@code frames} frames. */
    public static Round budgeted(long frames) {
        if (frames <= 0) {
            throw new IllegalArgumentException("frames=" + frames + " must be > 0");
        }
        return new Round(0, frames);
    }

    /** Blocks a sender until the round starts; returns when it was let go ({@link System#nanoTime()}). */
    public long awaitGo() throws InterruptedException {
        if (!going) {
            waiting.add(Thread.currentThread());
            while (!going) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for the round to start");
                }
            }
        }
        return System.nanoTime();
    }

    private void letGo() {
        going = true;
        for (Thread t : waiting) {
            LockSupport.unpark(t);
        }
    }

    /** True once a timed round's time is up (or the round was aborted): senders stop and end their streams. */
    public boolean stopped() {
        return stop;
    }

    /** Frames each sender sends at most: the budget, or {@link Long#MAX_VALUE} for a timed round. */
    public long frameBudget() {
        return frameBudget;
    }

    /** True if this round is timed rather than budgeted. */
    public boolean timed() {
        return durationNanos > 0;
    }

    /** When the round started ({@link System#nanoTime()}). */
    public long startNanos() {
        return startNanos;
    }

    /** Starts the round and returns its start time. */
    public long start() {
        long now = System.nanoTime();
        startNanos = now;
        letGo();
        return now;
    }

    /** A timed round: waits out the duration, then tells the senders to stop. A budgeted one returns at once. */
    public void runToEnd() throws InterruptedException {
        if (!timed()) {
            return;
        }
        long end = startNanos + durationNanos;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        stop = true;
    }

    /** Stops at once (on failure or tear-down). */
    public void abort() {
        stop = true;
        letGo();
    }

    /** How long to wait for the round's receivers before calling it hung. */
    public long timeoutNanos() {
        return durationNanos + (timed() ? Bench.ROUND_SLACK_NANOS : 2 * Bench.ROUND_SLACK_NANOS);
    }

    /** What the round gives each connection, for messages. */
    public String describe() {
        return timed() ? durationNanos / 1_000_000 + " ms" : frameBudget + " frames per connection";
    }
}
