package dev.frameconn.stream;

import java.util.concurrent.CompletableFuture;

/** Runs a blocking step of a stream test on a virtual thread of its own; the future carries its result or failure. */
final class Async {
    private Async() {
    }

    /** A step that may block and throw. */
    @FunctionalInterface
    interface IoSupplier<T> {
        T get() throws Exception;
    }

    static <T> CompletableFuture<T> async(IoSupplier<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().name("test-async").start(() -> {
            try {
                f.complete(body.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }
}
