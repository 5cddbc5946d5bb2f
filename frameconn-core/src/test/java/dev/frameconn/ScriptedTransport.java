package dev.frameconn;

import dev.frameconn.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory transport that the test steers, for the write path's hand-overs
 * between threads: every write call (plain or gathering) passes a gate the test
 * can close and open one call at a time, may be told to fail, and is recorded
 * (its bytes, its size and the thread that made it). Reads see end of stream.
 * Closing lets blocked writes go with {@link AsynchronousCloseException}, as a
 * socket does (unless told otherwise).
 */
final class ScriptedTransport implements Transport {
    /** Open gate: more permits than any test makes calls. */
    private static final int OPEN = 1 << 30;

    private final Semaphore gate = new Semaphore(OPEN);
    private final AtomicInteger arrived = new AtomicInteger();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<Integer> callSizes = new ArrayList<>();
    private final List<String> callThreads = new ArrayList<>();
    private final List<Integer> callSegments = new ArrayList<>();
    private volatile boolean open = true;
    private volatile IOException failNext;
    private volatile int maxPerCall = Integer.MAX_VALUE;
    private volatile Runnable onCall = () -> {};
    private volatile Runnable onShutdownOutput = () -> {};
    private volatile boolean closeReleasesWrites = true;

    /** From now on every write call waits until {@link #pass(int)} lets it through. */
    void closeGate() {
        gate.drainPermits();
    }

    /** Lets {@code calls} waiting or future write calls through the closed gate. */
    void pass(int calls) {
        gate.release(calls);
    }

    /** Opens the gate for good again. */
    void openGate() {
        gate.release(OPEN);
    }

    /**
     * Waits (up to 20 s) until {@code calls} write calls in all have come to the
     * gate, whether they passed it or not.
     */
    @SuppressWarnings("ThreadPriorityCheck") // yield lets the writers run on a busy 2-core machine
    void awaitArrived(int calls) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (arrived.get() < calls) {
            if (System.nanoTime() > end) {
                throw new AssertionError("write calls arrived: " + arrived.get() + ", expected " + calls);
            }
            Thread.yield();
        }
    }

    /** The next write call that passes the gate throws {@code e}. */
    void failNext(IOException e) {
        failNext = e;
    }

    /** Each call writes at most this many bytes. */
    void maxPerCall(int n) {
        maxPerCall = n;
    }

    /** Runs inside every write call, after the gate. */
    void onCall(Runnable r) {
        onCall = r;
    }

    /** If false, a close leaves blocked writes waiting at the gate (they fail when they pass). */
    void closeReleasesWrites(boolean release) {
        closeReleasesWrites = release;
    }

    /** Runs when the connection half-closes (shutdown, right after the RST). */
    void onShutdownOutput(Runnable r) {
        onShutdownOutput = r;
    }

    synchronized byte[] written() {
        return bytes.toByteArray();
    }

    synchronized List<Integer> callSizes() {
        return List.copyOf(callSizes);
    }

    /** For each call: how many of its buffers had bytes to write. */
    synchronized List<Integer> callSegments() {
        return List.copyOf(callSegments);
    }

    synchronized List<String> callThreads() {
        return List.copyOf(callThreads);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        enter();
        synchronized (this) {
            int segments = 0;
            for (int i = offset; i < offset + length; i++) {
                segments += srcs[i].hasRemaining() ? 1 : 0;
            }
            callSegments.add(segments);
            long budget = maxPerCall;
            long total = 0;
            for (int i = offset; i < offset + length && budget > 0; i++) {
                ByteBuffer src = srcs[i];
                int n = (int) Math.min(budget, src.remaining());
                byte[] chunk = new byte[n];
                src.get(chunk);
                bytes.writeBytes(chunk);
                budget -= n;
                total += n;
            }
            callSizes.add((int) total);
            callThreads.add(Thread.currentThread().getName());
            return total;
        }
    }

    private void enter() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        arrived.incrementAndGet();
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted at the gate");
        }
        if (!open) {
            throw new AsynchronousCloseException();
        }
        IOException e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
        onCall.run();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        return -1;
    }

    @Override
    public void shutdownOutput() {
        onShutdownOutput.run();
    }

    @Override
    public void close() {
        open = false;
        if (closeReleasesWrites) {
            gate.release(OPEN); // blocked writes fail, as on a closed socket
        }
    }

    @Override
    public void abort() {
        close();
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
