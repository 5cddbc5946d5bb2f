package dev.frameconn.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The books of one transfer round: each sender enters what it sent and each
 * receiver what it got, keyed by the client's port, so that every connection
 * is checked on its own. {@link #await} refuses to produce a result unless
 * every receiver got exactly the frames and bytes its sender sent.
 *
 * <p>Every sender and receiver calls {@link #partyDone()} exactly once, in a
 * {@code finally}, whether it succeeded or not; a failure is entered with
 * {@link #fail} first.
 */
public final class Ledger {
    private final String who;
    private final int payload;
    private final int connections;
    private final CountDownLatch done;
    /** Per client port: frames sent, and when the sender began ({@link System#nanoTime()}, 0: at the round's start). */
    private final Map<Integer, long[]> sent = new ConcurrentHashMap<>();
    private final Map<Integer, long[]> received = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** The books for {@code connections} connections moving {@code payload}-byte frames. */
    public Ledger(String who, int payload, int connections) {
        this.who = who;
        this.payload = payload;
        this.connections = connections;
        this.done = new CountDownLatch(2 * connections);
    }

    /** A sender on the connection from client port {@code port} sent {@code frames} whole frames from the round's start. */
    public void sent(int port, long frames) {
        sent(port, frames, 0);
    }

    /**
     * A sender on the connection from client port {@code port} sent {@code frames}
     * whole frames, beginning at {@code beganNanos} ({@link Round#awaitGo()}'s answer).
     */
    public void sent(int port, long frames, long beganNanos) {
        if (sent.putIfAbsent(port, new long[] {frames, beganNanos}) != null) {
            fail(new BenchmarkFailure(who + ": two senders on client port=" + port));
        }
    }

    /** A receiver got {@code frames} frames, {@code payloadBytes} bytes of payload, the last at {@code endNanos}. */
    public void received(int port, long frames, long payloadBytes, long endNanos) {
        if (received.putIfAbsent(port, new long[] {frames, payloadBytes, endNanos}) != null) {
            fail(new BenchmarkFailure(who + ": two receivers for client port=" + port));
        }
    }

    /** Enters a failure; the first one is what {@link #await} reports. */
    public void fail(Throwable cause) {
        failure.compareAndSet(null, cause);
    }

    /** True once a failure was entered. */
    public boolean failed() {
        return failure.get() != null;
    }

    /** A sender or receiver has finished, one way or another. */
    public void partyDone() {
        done.countDown();
    }

    /**
     * Waits for every party, checks the books and returns the round's figures.
     *
     * @throws BenchmarkFailure if a party failed, the round overran its
     *         {@link Round#timeoutNanos()}, or any count disagrees (in a
     *         budgeted round also: a sender that did not send its budget)
     */
    public TransferResult await(Round round) throws InterruptedException {
        long timeoutNanos = round.timeoutNanos();
        if (!done.await(timeoutNanos, TimeUnit.NANOSECONDS)) {
            Throwable cause = failure.get();
            throw new BenchmarkFailure(who + ": round did not finish within " + timeoutNanos / 1_000_000
                    + " ms: " + (2L * connections - done.getCount()) + " of " + 2 * connections
                    + " senders and receivers done, sent=" + sent.size() + " received=" + received.size(), cause);
        }
        Throwable cause = failure.get();
        if (cause != null) {
            throw new BenchmarkFailure(who + ": " + cause, cause);
        }
        if (sent.size() != connections || received.size() != connections) {
            throw new BenchmarkFailure(who + ": connections=" + connections + " but senders reported="
                    + sent.size() + " and receivers reported=" + received.size());
        }
        long[] bytes = new long[connections];
        long[] frames = new long[connections];
        long[] elapsed = new long[connections];
        long[] active = new long[connections];
        long start = round.startNanos();
        long totalFrames = 0;
        int i = 0;
        for (Map.Entry<Integer, long[]> entry : sent.entrySet()) {
            int port = entry.getKey();
            long sentFrames = entry.getValue()[0];
            long began = Math.max(start, entry.getValue()[1]);
            long[] got = received.get(port);
            if (got == null) {
                throw new BenchmarkFailure(who + ": no receiver reported for client port=" + port);
            }
            if (!round.timed() && sentFrames != round.frameBudget()) {
                throw new BenchmarkFailure(who + ": port=" + port + " sent frames=" + sentFrames
                        + " but its budget was frames=" + round.frameBudget());
            }
            if (got[0] != sentFrames) {
                throw new BenchmarkFailure(who + ": port=" + port + " sent frames=" + sentFrames
                        + " but the receiver got frames=" + got[0]);
            }
            if (got[1] != sentFrames * payload) {
                throw new BenchmarkFailure(who + ": port=" + port + " frames=" + sentFrames + " of payload="
                        + payload + " should carry bytes=" + sentFrames * payload + " but the receiver got bytes="
                        + got[1]);
            }
            frames[i] = got[0];
            bytes[i] = got[1];
            elapsed[i] = Math.max(1, got[2] - start);
            active[i] = Math.max(1, got[2] - began);
            totalFrames += got[0];
            i++;
        }
        if (totalFrames == 0) {
            throw new BenchmarkFailure(who + ": no frame got through in a round of " + round.describe());
        }
        return new TransferResult(payload, bytes, frames, elapsed, active);
    }
}
