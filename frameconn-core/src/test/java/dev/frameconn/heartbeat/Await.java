package dev.frameconn.heartbeat;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition made true by another thread, with a generous bound; never a fixed sleep. */
public final class Await {
    private Await() {}

    /** Waits until {@code condition} holds; fails the test after {@code timeout}. */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Waits until {@code condition} holds, at most 20 s. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, Duration.ofSeconds(20));
    }

    /**
     * Checks that {@code condition} stays true for {@code period} of real time:
     * the one place a test watches time pass, to show that something does NOT happen.
     */
    public static void stays(String what, BooleanSupplier condition, Duration period) {
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() - end < 0) {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("no longer true: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Waits until {@code thread} is parked on a condition (a wait, not a lock)
     * inside the {@link HeartbeatConn} method {@code method}: seen from its
     * stack, so that the connection needs no accessor for tests.
     */
    public static void waitingIn(Thread thread, String method) {
        until(thread.getName() + " waits in HeartbeatConn." + method, () -> {
            if (thread.getState() != Thread.State.WAITING) {
                return false;
            }
            boolean awaiting = false;
            boolean inMethod = false;
            for (StackTraceElement e : thread.getStackTrace()) {
                awaiting |= e.getClassName().endsWith("$ConditionObject") && e.getMethodName().startsWith("await");
                inMethod |= e.getClassName().equals(HeartbeatConn.class.getName()) && e.getMethodName().equals(method);
            }
            return awaiting && inMethod;
        });
    }
}
