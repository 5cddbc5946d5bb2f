package dev.frameconn.heartbeat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A {@link HeartbeatConn}'s threads, all made by the configured factory and
 * all joined on shutdown and close.
 * <ul>
 *   <li><b>Long-lived</b> (the reader): made before any starts, so that a
 *       failing factory leaves nothing running, and started together.</li>
 *   <li><b>Short-lived</b> (a heartbeat being written, a stall being reported):
 *       started by a timer when there is work that may block, and kept here
 *       until they end, so that {@link #join} waits for them too. Callers
 *       start them under the connection's lock and no longer once it stops,
 *       so no thread starts after {@link #join} began.</li>
 * </ul>
 */
final class BackgroundThreads {
    private static final Thread[] NONE = {};

    private final ThreadFactory factory;
    private final Thread[] threads;
    // written under the connection's lock (one writer at a time), read without: copy on write
    private volatile Thread[] shortLived = NONE;

    /** Makes one thread per task; throws if the factory fails or returns null. */
    BackgroundThreads(ThreadFactory factory, Runnable... tasks) {
        this.factory = factory;
        threads = new Thread[tasks.length];
        for (int i = 0; i < tasks.length; i++) {
            threads[i] = Objects.requireNonNull(factory.newThread(tasks[i]), "threadFactory returned null");
        }
    }

    void start() {
        for (Thread t : threads) {
            t.start();
        }
    }

    /**
     * Starts a short-lived thread for {@code task}. Never throws, because the
     * caller is a timer that must carry the work out: if the factory fails, a
     * plain virtual thread runs it. Under the connection's lock.
     */
    void startShortLived(Runnable task) {
        Thread t = null;
        try {
            t = factory.newThread(task);
            if (t != null) {
                t.start();
            }
        } catch (RuntimeException e) {
            t = null; // made before and failed to start, or not made: either way it does not run
        }
        if (t == null) {
            t = Thread.ofVirtual().name("frameconn-heartbeat-fallback").start(task);
        }
        Thread[] old = shortLived;
        for (int i = 0; i < old.length; i++) {
            if (!old[i].isAlive()) {
                Thread[] next = old.clone();
                next[i] = t; // reuse the slot of one that ended: at most a heartbeat and a stall at once
                shortLived = next;
                return;
            }
        }
        Thread[] next = Arrays.copyOf(old, old.length + 1);
        next[old.length] = t;
        shortLived = next;
    }

    /**
     * Waits for each thread but the caller's own, at most {@code millis} each.
     * An interrupt does not cut the wait short; it is kept for the caller.
     */
    void join(long millis) {
        boolean interrupted = join(threads, millis);
        interrupted |= join(shortLived, millis);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean join(Thread[] threads, long millis) {
        Thread self = Thread.currentThread();
        boolean interrupted = false;
        for (Thread t : threads) {
            if (t == self) {
                continue;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (t.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        return interrupted;
    }

    /** True if every thread has ended (or never started). */
    boolean ended() {
        return ended(threads) && ended(shortLived);
    }

    private static boolean ended(Thread[] threads) {
        for (Thread t : threads) {
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }
}
