package dev.frameconn.internal;

import dev.frameconn.time.Ticker;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread that watches the timeouts of every connection on one clock.
 *
 * <p>Connections do not schedule timers per I/O call: they only store the time
 * an operation started (a field write). The watchdog sleeps until the earliest
 * moment any of them could expire, looks again, and expires those that did;
 * progress since it last looked simply moves that moment. The thread starts
 * with the first watched connection and ends when none is left, so an idle
 * process has no extra thread.
 *
 * <p>With a ticker other than {@link Ticker#system()} (tests), the watchdog
 * also looks every {@link #MANUAL_POLL_NANOS} of real time, because a manual
 * clock can jump without telling anyone.
 */
public final class Watchdog {
    /** Real-time polling period under a manual clock: 5 ms. */
    static final long MANUAL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final Watchdog SYSTEM = new Watchdog(Ticker.system());
    private static final Map<Ticker, Watchdog> OTHERS = new WeakHashMap<>();

    /** A connection as the watchdog sees it. */
    public interface Watched {
        /**
         * Nanoseconds from {@code now} until this may expire: {@code <= 0} if it
         * has expired, {@link Long#MAX_VALUE} if nothing is pending.
         */
        long remainingNanos(long now);

        /**
         * Called once, on a virtual thread of its own (never the watchdog's), when
         * {@link #remainingNanos} was {@code <= 0}.
         */
        void expire(long now);
    }

    private final Ticker ticker;
    private final boolean manual;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Set<Watched> watched = new HashSet<>();
    private Thread thread;

    private Watchdog(Ticker ticker) {
        this.ticker = ticker;
        this.manual = ticker != Ticker.system();
    }

    /** The watchdog of {@code ticker}: one per clock. */
    public static Watchdog of(Ticker ticker) {
        if (ticker == Ticker.system()) {
            return SYSTEM;
        }
        synchronized (OTHERS) { // no I/O inside: a plain monitor is fine here
            return OTHERS.computeIfAbsent(ticker, Watchdog::new);
        }
    }

    /** Starts watching {@code w}. */
    public void register(Watched w) {
        lock.lock();
        try {
            watched.add(w);
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("frameconn-watchdog").unstarted(this::run);
                thread.start();
            } else {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops watching {@code w}; harmless if it was not watched. */
    public void unregister(Watched w) {
        lock.lock();
        try {
            if (watched.remove(w)) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Makes the watchdog look again now: call after shortening a timeout. */
    public void wakeup() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** True while the watchdog thread runs (for tests of thread hygiene). */
    public boolean isRunning() {
        lock.lock();
        try {
            return thread != null;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        List<Watched> expired = new ArrayList<>();
        while (true) {
            long now;
            lock.lock();
            try {
                if (watched.isEmpty()) {
                    thread = null;
                    return;
                }
                now = ticker.nanoTime();
                long wait = Long.MAX_VALUE;
                for (Watched w : watched) {
                    long remaining = w.remainingNanos(now);
                    if (remaining <= 0) {
                        expired.add(w);
                    } else {
                        wait = Math.min(wait, remaining);
                    }
                }
                if (expired.isEmpty()) {
                    if (manual) {
                        wait = Math.min(wait, MANUAL_POLL_NANOS);
                    }
                    awaitQuietly(wait);
                    continue;
                }
                expired.forEach(watched::remove);
            } finally {
                lock.unlock();
            }
            // expiring closes sockets, which a transport might do slowly: each on a virtual thread
            // of its own, so that one slow close never delays the timeouts of other connections
            long at = now;
            for (Watched w : expired) {
                Thread.ofVirtual().name("frameconn-timeout").start(() -> w.expire(at));
            }
            expired.clear();
        }
    }

    private void awaitQuietly(long nanos) {
        try {
            if (nanos == Long.MAX_VALUE) {
                changed.await();
            } else {
                changed.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            // nobody interrupts this thread on purpose; keep watching
        }
    }
}
