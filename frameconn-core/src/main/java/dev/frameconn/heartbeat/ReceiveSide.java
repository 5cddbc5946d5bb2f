package dev.frameconn.heartbeat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.internal.Locks;
import dev.frameconn.internal.VarHandles;
import dev.frameconn.internal.jfr.FrameConnEvents;
import dev.frameconn.time.Ticker;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The receive side of a {@link HeartbeatConn}: the background reader, which
 * reads every frame as it arrives, drops heartbeats and queues application
 * frames (blocking while the queue is full), and the application's reads from
 * that queue, which run the receive stall clock while they wait. Guarded by
 * the connection's one lock; no I/O is done under it.
 */
final class ReceiveSide {
    private static final VarHandle HEARTBEATS_RECEIVED =
            VarHandles.field(MethodHandles.lookup(), "heartbeatsReceived", long.class);

    private final Failures failures;
    private final FrameConn conn;
    private final Ticker ticker;
    private final HeartbeatMetrics metrics;
    private final ReentrantLock lock;
    private final Condition notEmpty;
    private final Condition notFull;
    private final StallClocks clocks;
    private final PacerTimer pacer;
    private final BackgroundThreads threads;
    private final int capacity;
    private final ArrayDeque<Frame> queue;
    // guarded by lock
    private IOException readerFailure;
    private boolean stopped;

    // a field, not a LongAdder: one writer (the reader) and an idle connection should cost little
    private volatile long heartbeatsReceived;
    volatile long lastReceived;

    ReceiveSide(FrameConn conn, HeartbeatConfig config, Failures failures, ReentrantLock lock, StallClocks clocks,
            PacerTimer pacer, BackgroundThreads threads) {
        this.conn = conn;
        this.failures = failures;
        this.ticker = conn.config().ticker();
        this.metrics = config.metrics();
        this.lock = lock;
        this.notEmpty = lock.newCondition();
        this.notFull = lock.newCondition();
        this.clocks = clocks;
        this.pacer = pacer;
        this.threads = threads;
        this.capacity = config.receiveQueueFrames();
        // grows as frames queue up, to at most capacity: an idle connection keeps the smallest array
        this.queue = new ArrayDeque<>(1);
        this.lastReceived = ticker.nanoTime();
    }

    /**
     * The next application frame, or the reader's failure after the queue;
     * empty frames of {@code skipEmptyType} are released and the wait goes on.
     */
    Frame take(int skipEmptyType) throws IOException {
        Locks.lockInterruptibly(lock);
        try {
            boolean counted = false;
            boolean payload = false;
            try {
                while (true) {
                    Frame f = queue.poll();
                    if (f != null) {
                        notFull.signal();
                        if (f.length() > 0 || f.type() != skipEmptyType) {
                            payload = f.length() > 0;
                            return f;
                        }
                        f.close(); // means nothing to the caller: the wait goes on
                    }
                    StreamStalledException.Direction s = failures.stalledDirection();
                    if (s != null) {
                        throw failures.stalledException(s, readerFailure);
                    }
                    if (f == null && readerFailure != null) {
                        throw readerFailure;
                    }
                    if (!counted) {
                        counted = true;
                        long now = ticker.nanoTime();
                        clocks.readWaitBegins(now); // on from where the last wait left it
                        pacer.wakeIfLateLocked(now);
                    }
                    if (f != null) {
                        continue; // skipped one: more may be queued
                    }
                    try {
                        notEmpty.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for a frame");
                    }
                }
            } finally {
                if (counted) {
                    clocks.readWaitEnds(ticker.nanoTime(), payload);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** HEARTBEAT frames received and dropped so far. */
    long heartbeatsReceived() {
        return heartbeatsReceived;
    }

    /**
     * The background reader's loop: runs until the connection's reads fail, or
     * until it hands the reading on to a fresh thread after a heartbeat.
     */
    void readLoop() {
        IOException failure;
        try {
            while (true) {
                Frame f = conn.readFrame();
                int type = f.type();
                lastReceived = ticker.nanoTime();
                if ((type & HeartbeatConn.RESERVED_TYPE_MASK) == 0) {
                    // while stopping, frames are dropped but reading goes on: it ends with the
                    // connection's own shutdown or close, whose failure readFrame() then reports
                    enqueue(f);
                    continue;
                }
                f.close();
                if (type != HeartbeatConn.HEARTBEAT) {
                    throw new HeartbeatProtocolException("received type=" + FrameHeader.typeToString(type)
                            + ": bits 24..27 are reserved and only HEARTBEAT=" + HeartbeatConn.HEARTBEAT_HEX
                            + " is defined");
                }
                HEARTBEATS_RECEIVED.getAndAdd(this, 1L);
                // the peer is alive: a write of ours blocked by it must not time out (SPEC §7)
                conn.resetWriteTimeout();
                metrics.heartbeatReceived();
                if (handedOn()) {
                    return;
                }
            }
        } catch (IOException e) {
            failure = failures.translate(e);
            FrameConnEvents.heartbeatReadFailed(conn.remoteAddress(), e);
        } catch (RuntimeException | Error e) {
            failure = new IOException("frameconn: heartbeat reader failed unexpectedly", e);
        }
        lock.lock();
        try {
            readerFailure = failure;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a heartbeat, a virtual reader hands the reading on to a fresh
     * thread and ends; false (read on here) if the reader is a platform thread,
     * the connection is stopping, or no thread could start.
     *
     * <p>Why: an idle reader wakes only for heartbeats, and a virtual thread
     * keeps, for its life, the stack chunk that holds the frames below its
     * loop: once the GC has promoted that chunk HotSpot no longer freezes into
     * it, so every later park adds a chunk of its own above it. A thread that
     * ends after each heartbeat leaves one chunk per idle reader instead of
     * two (class histograms at 1,000 idle heartbeat connections: a bottom
     * chunk of 100 words, 14 in use, beside the parked one of 114-140). It
     * costs a thread start per heartbeat received, about one per send
     * interval; busy connections, which get no heartbeats, do not pay it.
     * Only one thread reads at a time: this one starts its successor as its
     * last act.
     */
    private boolean handedOn() {
        if (!Thread.currentThread().isVirtual()) {
            return false;
        }
        lock.lock();
        try {
            // stopped: the threads are being joined, and none may start after that began
            return !stopped && threads.tryStartShortLived(this::readLoop);
        } finally {
            lock.unlock();
        }
    }

    /** Queues an application frame, or releases it if the connection is stopping. */
    private void enqueue(Frame f) {
        lock.lock();
        try {
            while (queue.size() >= capacity && !stopped) {
                notFull.awaitUninterruptibly();
            }
            if (stopped) {
                f.close();
                return;
            }
            queue.add(f);
            if (f.length() > 0) {
                clocks.payloadArrived(clocks.readersWaiting() ? ticker.nanoTime() : 0);
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The connection stops: the reader no longer waits for room. Under the lock. */
    void stopLocked() {
        stopped = true;
        notFull.signalAll();
    }

    /** Wakes every waiting reader, to see a stall or the end. Under the lock. */
    void wakeReadersLocked() {
        notEmpty.signalAll();
    }

    /** Releases the frames still queued, after the reader ended; wakes any reader left. */
    void drain() {
        lock.lock();
        try {
            Frame f;
            while ((f = queue.poll()) != null) {
                f.close();
            }
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
