package dev.frameconn.heartbeat;

import dev.frameconn.FrameConn;
import dev.frameconn.time.Ticker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The send side of a {@link HeartbeatConn}: application writes and flushes,
 * which run the send stall clock, and the heartbeat sender thread, which the
 * pacer wakes when a heartbeat is due. The write side has its own lock, so
 * that the sender can skip a heartbeat instead of queueing behind a write; the
 * stall clock and the sender's wake-up are under the connection's one lock.
 */
final class SendSide {
    private final Failures failures;
    private final FrameConn conn;
    private final Ticker ticker;
    private final HeartbeatMetrics metrics;
    private final long intervalNanos;
    private final StallClocks clocks;
    private final PacerThread pacer;

    // the write side: our own lock, so that the sender can skip instead of waiting
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile long lastWrite;

    // guarded by lock, the connection's one lock
    private final ReentrantLock lock;
    private final Condition senderWake;
    private boolean heartbeatDue;
    private boolean stopped;

    final LongAdder heartbeatsSent = new LongAdder();

    SendSide(FrameConn conn, HeartbeatConfig config, Failures failures, ReentrantLock lock, StallClocks clocks,
            PacerThread pacer) {
        this.conn = conn;
        this.failures = failures;
        this.ticker = conn.config().ticker();
        this.metrics = config.metrics();
        this.intervalNanos = config.sendInterval().toNanos();
        this.clocks = clocks;
        this.pacer = pacer;
        this.lock = lock;
        this.senderWake = lock.newCondition();
        this.lastWrite = ticker.nanoTime();
    }

    /** When the last application frame or heartbeat began to be written, on the connection's clock. */
    long lastWrite() {
        return lastWrite;
    }

    /** Writes one application frame; {@code type} was checked. */
    void write(int type, ByteBuffer payload) throws IOException {
        boolean carriesPayload = payload.hasRemaining();
        HeartbeatConn.lockInterruptibly(writeLock);
        try {
            // measured under the lock: waiting behind another writer is not a stall of ours
            sendStarted(false);
            boolean accepted = false;
            try {
                conn.writeFrame(type, payload);
                accepted = carriesPayload;
            } catch (IOException e) {
                throw failures.translate(e);
            } finally {
                sendEnded(accepted, accepted);
            }
            lastWrite = ticker.nanoTime();
        } finally {
            writeLock.unlock();
        }
    }

    /** Flushes the connection, as part of the send stall clock. */
    void flush() throws IOException {
        // not under the write lock: a flush waits for frames already accepted, not for a turn to write
        boolean payload = sendStarted(true);
        boolean flushed = false;
        try {
            conn.flush();
            flushed = payload;
        } catch (IOException e) {
            throw failures.translate(e);
        } finally {
            sendEnded(flushed, false);
        }
    }

    /** See {@link StallClocks#sendBegins}; wakes the pacer if the clock could run out before it looks. */
    private boolean sendStarted(boolean flush) {
        if (!clocks.enabled()) {
            return false; // zero cost when stall detection is off
        }
        lock.lock();
        try {
            long now = ticker.nanoTime();
            boolean unflushed = clocks.sendBegins(now, flush);
            pacer.wakeIfLateLocked(now);
            return unflushed;
        } finally {
            lock.unlock();
        }
    }

    /** See {@link StallClocks#sendEnds}. */
    private void sendEnded(boolean progress, boolean accepted) {
        if (!clocks.enabled()) {
            return;
        }
        lock.lock();
        try {
            clocks.sendEnds(ticker.nanoTime(), progress, accepted);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the heartbeat sender

    /** A heartbeat is due: wakes the sender. Under the lock. */
    void heartbeatDueLocked() {
        heartbeatDue = true;
        senderWake.signal();
    }

    /** The connection stops: the sender ends. Under the lock. */
    void stopLocked() {
        stopped = true;
        senderWake.signalAll();
    }

    /** The heartbeat sender's loop: one heartbeat per wake-up, until stopped or a write fails. */
    void senderLoop() {
        while (true) {
            lock.lock();
            try {
                while (!heartbeatDue && !stopped) {
                    senderWake.awaitUninterruptibly();
                }
                if (stopped) {
                    return;
                }
                heartbeatDue = false;
            } finally {
                lock.unlock();
            }
            if (!sendHeartbeat()) {
                return;
            }
        }
    }

    /** Sends one heartbeat unless a write is in progress; false once the write side failed. */
    private boolean sendHeartbeat() {
        long start;
        if (!writeLock.tryLock()) {
            return true; // a write is in progress: that is traffic, and waiting behind it helps nobody
        }
        try {
            start = ticker.nanoTime();
            if (start - lastWrite < intervalNanos) {
                return true; // something was written since the pacer looked
            }
        } finally {
            // not held while writing: if the peer does not read, the heartbeat blocks, and an application
            // write waiting for this lock would wait uncounted by the send stall clock, for ever
            writeLock.unlock();
        }
        try {
            conn.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
            // the start, not the end: the peer may have the frame before we get to read the clock again
            lastWrite = start;
            heartbeatsSent.increment();
            metrics.heartbeatSent();
            // the core may stage a small frame behind a write under way; a heartbeat must leave now
            conn.flush();
            return true;
        } catch (IOException e) {
            // the write side is broken or shutting down: the application's next write says why
            return false;
        }
    }
}
