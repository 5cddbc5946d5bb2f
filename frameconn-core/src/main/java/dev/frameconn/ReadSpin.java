package dev.frameconn;

import dev.frameconn.time.Ticker;
import dev.frameconn.transport.Transport;
import java.io.IOException;

/**
 * How a reader that finds no bytes waiting polls for them before it parks
 * ({@link FrameConnConfig#readSpin()}), and when it stops spinning because the
 * CPUs are taken.
 *
 * <p>Spinning pays only while the peer (or the thread that will answer) has a
 * CPU of its own: then the bytes are seen microseconds after they land,
 * without a wake-up. When every CPU is busy, a spinning thread holds a CPU
 * the answering thread needs until the scheduler preempts it, milliseconds
 * later, while a parked reader is woken first (the scheduler favours
 * sleepers). So the spin watches its own polls: two that come back further
 * apart than {@link #PREEMPTED_NANOS} mean it lost its CPU, and the reader
 * stops spinning for a back-off that doubles with each such loss in a row,
 * from {@link #MIN_BACKOFF_NANOS} to {@link #MAX_BACKOFF_NANOS}. The thread
 * that lost its CPU may be the peer instead: then this spin runs out of budget
 * while the peer waits for the CPU it holds, so {@link #MISSES_TO_BACK_OFF}
 * spent budgets in a row back off too (and a reply that never comes within
 * the budget is not worth spinning for anyway):
 * <pre>
 *   SPINNING --a poll came back late, or the budget was spent twice in a row--&gt;
 *            BACKED_OFF (reads park at once; backoff doubles)
 *   BACKED_OFF --backoff has passed--&gt; SPINNING
 *   SPINNING --{@link #GOOD_STREAK} spins in a row found bytes--&gt; backoff = MIN
 * </pre>
 * All time is on the connection's {@link Ticker}.
 *
 * <p>Not thread-safe: used by the one reader under {@link Inbound}'s lock.
 */
final class ReadSpin {
    /**
     * Polls further apart than this (500 µs) mean another thread took the
     * spinning thread's CPU: one poll is a system call of about a microsecond,
     * interrupts and a hypervisor's pauses cost tens of microseconds (no
     * reason to stop), and a thread that wants a CPU for longer gets a slice of
     * at least 0.75 ms (Linux's default base slice). At 50 µs a quiet machine's
     * interrupts set off back-offs that doubled into whole measured rounds.
     */
    static final long PREEMPTED_NANOS = 500_000;
    /** The first back-off after a lost CPU: 10 ms of parking reads. */
    static final long MIN_BACKOFF_NANOS = 10_000_000;
    /** The longest back-off: 1 s, so that a machine that quietens down is noticed within a second. */
    static final long MAX_BACKOFF_NANOS = 1_000_000_000;
    /** Spins in a row that found bytes without losing the CPU, after which the back-off starts from the minimum again. */
    static final int GOOD_STREAK = 10_000;
    /** Spins in a row that spent their whole budget without bytes, after which the reader backs off. */
    static final int MISSES_TO_BACK_OFF = 2;

    private final long budgetNanos;
    private final Ticker ticker;
    /** No spinning before this time; starts at construction, so any reading of the clock may be negative. */
    private long resumeAt;
    private long backoffNanos = MIN_BACKOFF_NANOS;
    private int goodSpins;
    private int misses;
    private long backoffs;

    /**
     * @param budgetNanos how long one spin may last; positive
     * @param ticker the connection's clock
     */
    ReadSpin(long budgetNanos, Ticker ticker) {
        if (budgetNanos <= 0) {
            throw new IllegalArgumentException("budgetNanos=" + budgetNanos + " must be > 0");
        }
        this.budgetNanos = budgetNanos;
        this.ticker = ticker;
        this.resumeAt = ticker.nanoTime();
    }

    /**
     * Polls {@code wire} until bytes are waiting, the budget is spent, or the
     * polls show that this thread lost its CPU; returns at once while backed
     * off, or if the transport cannot tell ({@code available()} is -1).
     *
     * @return true if bytes are waiting (or the transport cannot tell), false if the caller should park
     */
    boolean await(Transport wire) throws IOException {
        long start = ticker.nanoTime();
        if (start - resumeAt < 0) {
            return false;
        }
        long last = start;
        while (wire.available() == 0) {
            long now = ticker.nanoTime();
            if (now - last > PREEMPTED_NANOS) {
                backOff(now);
                return false;
            }
            if (now - start >= budgetNanos) {
                if (++misses >= MISSES_TO_BACK_OFF) {
                    backOff(now);
                }
                return false;
            }
            last = now;
            Thread.onSpinWait();
        }
        misses = 0;
        if (++goodSpins >= GOOD_STREAK) {
            goodSpins = 0;
            backoffNanos = MIN_BACKOFF_NANOS;
        }
        return true;
    }

    private void backOff(long now) {
        backoffs++;
        goodSpins = 0;
        misses = 0;
        resumeAt = now + backoffNanos;
        backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
    }

    /** Times the reader backed off: its thread lost the CPU, or budgets were spent in a row. */
    long backoffs() {
        return backoffs;
    }
}
