package dev.frameconn.heartbeat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A peer that keeps sending frames of one type and payload size at a steady
 * pace on its own thread, until stopped or until a write fails (the other side
 * closed). The pace is the behaviour under test (a slow or hostile peer), not a
 * wait for something: tests wait on {@link #sent()} instead.
 */
public final class Trickle implements AutoCloseable {
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopped;

    private Trickle(HeartbeatConn conn, int type, int payloadLength, Duration pause) {
        byte[] payload = new byte[payloadLength];
        long pauseNanos = pause.toNanos();
        // a platform thread: a virtual one sending without pause would hold a carrier thread for itself
        this.thread = Thread.ofPlatform().daemon().name("test-trickle").start(() -> {
            try {
                while (!stopped) {
                    conn.writeFrame(type, payload);
                    sent.incrementAndGet();
                    if (pauseNanos > 0) {
                        LockSupport.parkNanos(pauseNanos);
                    }
                }
            } catch (IOException e) {
                failure.set(e);
            }
        });
    }

    /** Starts sending frames of {@code type} with {@code payloadLength} bytes, one per {@code pause}. */
    public static Trickle start(HeartbeatConn conn, int type, int payloadLength, Duration pause) {
        return new Trickle(conn, type, payloadLength, pause);
    }

    /** Frames written so far. */
    public long sent() {
        return sent.get();
    }

    /** The write failure that ended the trickle, or null. */
    public IOException failure() {
        return failure.get();
    }

    /** Waits until at least {@code more} further frames were written, unless the trickle ended. */
    public void awaitMore(long more) {
        long target = sent() + more;
        Await.until(more + " more frames from the trickle", () -> sent() >= target || !thread.isAlive());
    }

    /** Stops sending and waits for the thread; the last write may still be under way until it returns. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        if (!thread.join(Duration.ofSeconds(20))) {
            throw new AssertionError("trickle thread did not end: " + thread);
        }
    }
}
