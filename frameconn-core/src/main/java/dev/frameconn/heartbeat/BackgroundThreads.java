package dev.frameconn.heartbeat;

import dev.frameconn.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A {@link HeartbeatConn}'s threads, all made by the configured factory,
 * listed while they run and joined on shutdown and close. A thread takes
 * itself off the list as it ends: an ended thread kept listed would keep its
 * thread object, and until it ended its stack, for the connection's life.
 * <ul>
 *   <li><b>First</b> (the first reader): made before any starts, so that a
 *       failing factory leaves nothing running, and started by {@link #start}.</li>
 *   <li><b>Short-lived</b> (a heartbeat being written, a stall being reported,
 *       the reader's successor after a heartbeat): started when there is work
 *       that may block. Callers start them under the connection's lock and no
 *       longer once it stops, so no thread starts after {@link #join} began.</li>
 * </ul>
 */
final class BackgroundThreads {
    private static final Thread[] NONE = {};

    private final ThreadFactory factory;
    /** Made by the constructor, until {@link #start} lists and starts them. */
    private Thread[] first;
    // copy on write, swapped by compare-and-set: threads are added under the connection's lock
    // (or by start, before any other) and remove themselves as they end
    private volatile Thread[] running = NONE;
    private static final VarHandle RUNNING = VarHandles.field(MethodHandles.lookup(), "running", Thread[].class);

    /** Makes one thread per task; throws if the factory fails or returns null. */
    BackgroundThreads(ThreadFactory factory, Runnable... tasks) {
        this.factory = factory;
        first = new Thread[tasks.length];
        for (int i = 0; i < tasks.length; i++) {
            first[i] = Objects.requireNonNull(factory.newThread(tracked(tasks[i])), "threadFactory returned null");
        }
    }

    /** Starts the threads the constructor made; once, before anything else runs. Throws if one cannot start. */
    void start() {
        Thread[] made = first;
        first = NONE;
        for (Thread t : made) {
            add(t);
            try {
                t.start();
            } catch (RuntimeException | Error e) {
                remove(t);
                throw e;
            }
        }
    }

    /** {@code task}, then this thread off the list. */
    private Runnable tracked(Runnable task) {
        return () -> {
            try {
                task.run();
            } finally {
                remove(Thread.currentThread());
            }
        };
    }

    /**
     * Starts a short-lived thread for {@code task}. Never throws, because the
     * caller is a timer that must carry the work out: if the factory fails, a
     * plain virtual thread runs it. Under the connection's lock.
     *
     * <p>The thread is listed before it starts and takes itself off the list
     * when its task ends: an ended thread kept until the next heartbeat would
     * keep its stack too (measured: a third thread object and stack per idle
     * connection, about 1 KiB).
     */
    void startShortLived(Runnable task) {
        tryStartShortLived(task);
    }

    /**
     * As {@link #startShortLived}, but says whether a thread runs {@code task}:
     * false only if neither the factory's thread nor the fallback started.
     * Under the connection's lock.
     */
    boolean tryStartShortLived(Runnable task) {
        Runnable tracked = tracked(task);
        Thread t = null;
        try {
            t = factory.newThread(tracked);
        } catch (RuntimeException e) {
            t = null;
        }
        if (t != null && startListed(t)) {
            return true;
        }
        // not made, or made and failed to start: it does not run
        return startListed(Thread.ofVirtual().name("frameconn-heartbeat-fallback").unstarted(tracked));
    }

    /** Lists {@code t}, then starts it; unlists it again if it does not start. */
    private boolean startListed(Thread t) {
        add(t);
        try {
            t.start();
            return true;
        } catch (RuntimeException e) {
            remove(t);
            return false;
        }
    }

    private void add(Thread t) {
        while (true) {
            Thread[] old = running;
            Thread[] next = Arrays.copyOf(old, old.length + 1);
            next[old.length] = t;
            if (RUNNING.compareAndSet(this, old, next)) {
                return;
            }
        }
    }

    private void remove(Thread t) {
        while (true) {
            Thread[] old = running;
            int i = Arrays.asList(old).indexOf(t);
            if (i < 0) {
                return;
            }
            Thread[] next = new Thread[old.length - 1];
            System.arraycopy(old, 0, next, 0, i);
            System.arraycopy(old, i + 1, next, i, next.length - i);
            if (RUNNING.compareAndSet(this, old, next)) {
                return;
            }
        }
    }

    /**
     * Waits for each thread but the caller's own, at most {@code millis} each.
     * An interrupt does not cut the wait short; it is kept for the caller.
     */
    void join(long millis) {
        if (join(running, millis)) {
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
        return ended(running);
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
