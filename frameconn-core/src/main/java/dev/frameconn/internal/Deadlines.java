package dev.frameconn.internal;

import dev.frameconn.FrameTimeoutException.Kind;
import dev.frameconn.time.Ticker;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The timeouts of one connection: an idle timeout on reads and on writes, and an
 * absolute deadline; it fires at most once.
 *
 * <p>Per I/O call the connection writes one field (the start of the call) and
 * clears it after; no timer is touched. The idle timeout expires a read or a
 * write whose current call has lasted that long; any call that returns with
 * progress renews it, since the next call stores a new start. The absolute
 * deadline, once set, expires the whole connection when it passes, whether an
 * operation is in progress or not: it exists to bound a shutdown.
 *
 * <p>The connection has one {@link TimerQueue.Timer}, armed lazily: it is queued
 * for the earliest moment anything could expire. When it fires it looks at the
 * real state; if the operation returned or made progress meanwhile, it re-arms
 * itself for the remainder instead of expiring. So an active connection costs
 * one heap operation per idle period, not one per I/O call, and no code scans
 * all connections.
 *
 * <pre>
 *   readSince/writeSince:  IDLE --beginX--&gt; t0 --endX--&gt; IDLE
 *   timer fires at T:  remaining = min(readSince + idle, writeSince + idle, deadline) - T
 *                      (an IDLE side counts as T + idle: an operation starting now)
 *     remaining &gt; 0  -&gt; re-arm for T + remaining  (progress happened; nothing expired)
 *     remaining &lt;= 0 -&gt; fire once: DEADLINE if passed, else READ_IDLE, else WRITE_IDLE
 *   setIdleTimeout / setDeadline / start: arm no later than the new earliest moment
 * </pre>
 */
public final class Deadlines {

    private static final long IDLE = Long.MIN_VALUE;

    private final Ticker ticker;
    private final Consumer<Kind> onExpire;
    private final TimerQueue.Timer timer;
    private volatile long idleTimeoutNanos;
    private volatile long expiredIdleNanos;
    private volatile boolean hasDeadline;
    private volatile long deadline;
    private volatile long readSince = IDLE;
    private volatile long writeSince = IDLE;
    // written by the timer thread only (expire is also called directly by tests, one thread)
    private volatile boolean fired;

    /**
     * @param ticker the clock; the timer runs on {@link TimerQueue#of(Ticker) its queue}
     * @param idleTimeoutNanos the idle timeout, 0 for none
     * @param onExpire called at most once, on a virtual thread of its own (it may block),
     *        with what expired
     */
    public Deadlines(Ticker ticker, long idleTimeoutNanos, Consumer<Kind> onExpire) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.onExpire = Objects.requireNonNull(onExpire, "onExpire");
        this.timer = TimerQueue.of(ticker).newTimer(this::onTimer);
    }

    /** Starts watching. */
    public void start() {
        arm();
    }

    /** Stops watching, for good: nothing fires after this returns, unless it already had. */
    public void stop() {
        timer.close();
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
     * The idle timeout that expired, as it was when the timer fired; 0 before.
     * Kept apart from {@link #idleTimeoutNanos()} because shutdown switches idle
     * timeouts off, and an exception made after that must still name the timeout
     * that fired.
     */
    public long expiredIdleNanos() {
        return expiredIdleNanos;
    }

    /** Sets the idle timeout; 0 switches it off. */
    public void setIdleTimeout(long nanos) {
        idleTimeoutNanos = nanos;
        arm();
    }

    /** Sets the absolute deadline, in ticker time. */
    public void setDeadline(long atNanos) {
        deadline = atNanos;
        hasDeadline = true;
        arm();
    }

    /** Removes the absolute deadline; the timer, if queued earlier, finds nothing due and re-arms. */
    public void clearDeadline() {
        hasDeadline = false;
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

    /** True while the connection's timer is queued (for tests). */
    boolean armed() {
        return timer.isScheduled();
    }

    /** The time the timer is queued for (for tests); meaningless unless {@link #armed()}. */
    long armedFor() {
        return timer.deadlineNanos();
    }

    /**
     * Nanoseconds from {@code now} until something may expire: {@code <= 0} if it
     * has, {@link Long#MAX_VALUE} if nothing is pending.
     */
    long remainingNanos(long now) {
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

    /** Queues the timer no later than the earliest moment anything could expire. */
    private void arm() {
        if (fired) {
            return;
        }
        long now = ticker.nanoTime();
        long remaining = remainingNanos(now);
        if (remaining != Long.MAX_VALUE) {
            timer.rescheduleIfEarlier(now + Math.max(remaining, 0));
        }
    }

    private void onTimer(TimerQueue.Timer self, long now) {
        Kind kind = expire(now);
        if (kind != null) {
            // expiring closes sockets, which a transport might do slowly: off the timer thread, so that
            // one slow close never delays the timeouts of other connections
            Thread.ofVirtual().name("frameconn-timeout").start(() -> onExpire.accept(kind));
        }
    }

    /**
     * The timer's look at {@code now}: re-arms for the remainder if nothing
     * expired (progress since it was armed), else marks this fired.
     *
     * @return what expired, or null if nothing did (or it had fired before)
     */
    Kind expire(long now) {
        if (fired) {
            return null;
        }
        long remaining = remainingNanos(now);
        if (remaining > 0) {
            if (remaining != Long.MAX_VALUE) {
                timer.rescheduleIfEarlier(now + remaining);
            }
            return null;
        }
        fired = true;
        long idle = idleTimeoutNanos;
        Kind kind;
        if (hasDeadline && now - deadline >= 0) {
            kind = Kind.DEADLINE;
        } else if (idle > 0 && readSince != IDLE && now - readSince >= idle) {
            kind = Kind.READ_IDLE;
        } else {
            kind = Kind.WRITE_IDLE;
        }
        if (kind != Kind.DEADLINE) {
            expiredIdleNanos = idle;
        }
        return kind;
    }
}
