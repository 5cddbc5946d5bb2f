package dev.frameconn.heartbeat;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A {@link HeartbeatConn}'s background threads: all made by the configured
 * factory before any starts (so that a failing factory leaves nothing
 * running), started together, and joined with a bound per thread.
 */
final class BackgroundThreads {
    private final Thread[] threads;

    /** Makes one thread per task; throws if the factory fails or returns null. */
    BackgroundThreads(ThreadFactory factory, Runnable... tasks) {
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
     * Waits for each thread but the caller's own, at most {@code millis} each.
     * An interrupt does not cut the wait short; it is kept for the caller.
     */
    void join(long millis) {
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
        if (interrupted) {
            self.interrupt();
        }
    }

    /** True if every thread has ended (or never started). */
    boolean ended() {
        for (Thread t : threads) {
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }
}
