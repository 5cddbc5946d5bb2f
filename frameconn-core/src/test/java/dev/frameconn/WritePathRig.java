package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.heartbeat.ManualTicker;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * One connection over a {@link ScriptedTransport}, with a private buffer pool
 * and a manual clock, and the threads a write-path test starts. The clock does
 * not move unless the test moves it, so {@link HandoffPolicy} never sees a
 * caller stream (no write takes any time) and every write is made by the
 * thread that holds the pen, unless the test arranges otherwise.
 * {@link #close()} closes the connection, stops the threads and checks that
 * every buffer went back to the pool.
 */
final class WritePathRig implements AutoCloseable {
    final BufferPool pool = new BufferPool(6, 24, 16, 16L << 20);
    final ManualTicker clock = new ManualTicker();
    final ScriptedTransport wire = new ScriptedTransport();
    final FrameConn conn = FrameConn.over(wire, FrameConnConfig.defaults().withBufferPool(pool).withTicker(clock));
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /** A task on a thread of its own, and that thread. */
    record Running<T>(Future<T> future, Thread thread) {
        /** Its result, failing the test after 10 s. */
        T get() throws Exception {
            return future.get(10, TimeUnit.SECONDS);
        }
    }

    <T> Running<T> start(Callable<T> task) throws InterruptedException {
        AtomicReference<Thread> runner = new AtomicReference<>();
        Future<T> future = threads.submit(() -> {
            runner.set(Thread.currentThread());
            return task.call();
        });
        while (runner.get() == null && !future.isDone()) {
            Thread.sleep(1);
        }
        return new Running<>(future, runner.get());
    }

    /** Waits until {@code r}'s thread waits on a condition of the write side (for the pen, or any change). */
    static void awaitsChange(Running<?> r) {
        awaitBlocker(r, b -> b.getClass().getName().endsWith("ConditionObject"), "a condition");
    }

    /** Waits until {@code r}'s thread is parked by {@link WriterWaits} itself (for room to stage). */
    static void awaitsRoom(Running<?> r) {
        awaitBlocker(r, b -> b instanceof WriterWaits, "room");
    }

    @SuppressWarnings("ThreadPriorityCheck") // yield lets the task run on a busy 2-core machine
    private static void awaitBlocker(Running<?> r, Predicate<Object> what, String name) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            if (r.future().isDone()) {
                throw new AssertionError("task ended instead of waiting for " + name + ": " + r.future().state());
            }
            Object blocker = LockSupport.getBlocker(r.thread());
            if (blocker != null && what.test(blocker)) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("task did not wait for " + name + " within 20 s; blocker " + blocker);
            }
            Thread.yield();
        }
    }

    @Override
    public void close() throws Exception {
        conn.close();
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).as("test threads ended").isTrue();
        assertThat(pool.outstanding()).as("buffers outstanding after close").isZero();
    }
}
