package dev.frameconn.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits, in real time, for what the timer thread does on a manual clock; a hang fails after 20 s. */
final class Waits {
    private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private Waits() {}

    /** Waits until {@code condition} holds (the timer thread looks every 5 ms of real time under a manual clock). */
    static void until(BooleanSupplier condition, String what) {
        long until = System.nanoTime() + LIMIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - until > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }

    /** The value of {@code f}, waiting as {@link #until} does. */
    static <T> T get(CompletableFuture<T> f) {
        until(f::isDone, "a value");
        return f.join();
    }
}
