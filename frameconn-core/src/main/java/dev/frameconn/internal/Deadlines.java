package dev.frameconn.internal;

import dev.frameconn.time.Ticker;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The timeout state of one connection, read by the {@link Watchdog}.
 *
 * <p>Per I/O call the connection writes one field (the start of the call) and
 * clears it after; no timer is touched. The idle timeout expires a read or a
 * write whose current call has lasted that long; any call that returns with
 * progress renews it, since the next call stores a new start. The absolute
 * deadline, once set, expires the whole connection when it passes, whether an
 * operation is in progress or not: it exists to bound a shutdown.
 *
 * <pre>
 *   readSince/writeSince:  IDLE --beginX--> t0 --endX--> IDLE
 *   watchdog fires READ_IDLE  when readSince  != IDLE and now - readSince  >= idle
 *   watchdog fires WRITE_IDLE when writeSince != IDLE and now - writeSince >= idle
 *   watchdog fires DEADLINE   when deadline set and now >= deadline
 * </pre>
 */
public final class Deadlines implements Watchdog.Watched {
    /** Why the watchdog fired. */
    public static final int READ_IDLE = 1;
    /** Why the watchdog fired. */
    public static final int WRITE_IDLE = 2;
    /** Why the watchdog fired. */
    public static final int DEADLINE = 3;

    private static final long IDLE = Long.MIN_VALUE;

    private final Ticker ticker;
    private final Watchdog watchdog;
    private final IntConsumer onExpire;
    private volatile long idleTimeoutNanos;
    private volatile long expiredIdleNanos;
    private volatile boolean hasDeadline;
    private volatile long deadline;
    private volatile long readSince = IDLE;
    private volatile long writeSince = IDLE;
    private final ReentrantLock registration = new ReentrantLock();
    private boolean stopped;

    /**
     * @param onExpire called at most once, on a thread the watchdog starts for it, with
     *        {@link #READ_IDLE}, {@link #WRITE_IDLE} or {@link #DEADLINE}
     */
    public Deadlines(Ticker ticker, long idleTimeoutNanos, IntConsumer onExpire) {
        this.ticker = ticker;
        this.watchdog = Watchdog.of(ticker);
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.onExpire = onExpire;
    }

    /** Starts watching. */
    public void start() {
        registration.lock();
        try {
            if (!stopped) {
                watchdog.register(this);
            }
        } finally {
            registration.unlock();
        }
    }

    /** Stops watching, for good. */
    public void stop() {
        registration.lock();
        try {
            stopped = true;
            watchdog.unregister(this);
        } finally {
            registration.unlock();
        }
    }

    /** The clock. */
    public long now() {
        return ticker.nanoTime();
    }

    /** Current idle timeout in nanoseconds, 0 if off. */
    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /**
     * The idle timeout that expired, as it was when the watchdog fired; 0
     * before. Kept apart from {@link #idleTimeoutNanos()} because shutdown
     * switches idle timeouts off, and an exception made after that must still
     * name the timeout that fired.
     */
    public long expiredIdleNanos() {
        return expiredIdleNanos;
    }

    /** Sets the idle timeout; 0 switches it off. */
    public void setIdleTimeout(long nanos) {
        idleTimeoutNanos = nanos;
        watchdog.wakeup();
    }

    /** Sets the absolute deadline, in ticker time. */
    public void setDeadline(long atNanos) {
        deadline = atNanos;
        hasDeadline = true;
        watchdog.wakeup();
    }

    /** Removes the absolute deadline. */
    public void clearDeadline() {
        hasDeadline = false;
    }

    /** True if a deadline is set and has passed at {@code now}. */
    public boolean deadlinePassed(long now) {
        return hasDeadline && now - deadline >= 0;
    }

    /** A read call begins now. */
    public void beginRead() {
        readSince = ticker.nanoTime();
    }

    /** The read call returned. */
    public void endRead() {
        readSince = IDLE;
    }

    /** A write call begins now. */
    public void beginWrite() {
        writeSince = ticker.nanoTime();
    }

    /** The write call returned. */
    public void endWrite() {
        writeSince = IDLE;
    }

    /** Renews the write idle timeout as if the current write had just made progress. */
    public void renewWrite() {
        if (writeSince != IDLE) {
            writeSince = ticker.nanoTime();
        }
    }

    @Override
    public long remainingNanos(long now) {
        long remaining = Long.MAX_VALUE;
        long idle = idleTimeoutNanos;
        if (idle > 0) {
            long r = readSince;
            long w = writeSince;
            // not in an operation: nothing can expire before a whole period from now
            remaining = Math.min(remaining, r == IDLE ? idle : r + idle - now);
            remaining = Math.min(remaining, w == IDLE ? idle : w + idle - now);
        }
        if (hasDeadline) {
            remaining = Math.min(remaining, deadline - now);
        }
        return remaining;
    }

    @Override
    public void expire(long now) {
        if (remainingNanos(now) > 0) {
            // the operation returned or made progress since the watchdog looked
            start();
            return;
        }
        int reason;
        long idle = idleTimeoutNanos;
        if (hasDeadline && now - deadline >= 0) {
            reason = DEADLINE;
        } else if (idle > 0 && readSince != IDLE && now - readSince >= idle) {
            reason = READ_IDLE;
        } else {
            reason = WRITE_IDLE;
        }
        if (reason != DEADLINE) {
            expiredIdleNanos = idle;
        }
        onExpire.accept(reason);
    }
}
