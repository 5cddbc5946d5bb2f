package dev.frameconn.heartbeat;

import dev.frameconn.FrameConn;
import dev.frameconn.internal.Locks;
import dev.frameconn.internal.VarHandles;
import dev.frameconn.time.Ticker;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The send side of a {@link HeartbeatConn}: application writes and flushes,
 * which run the send stall clock, and heartbeats, each written by a
 * short-lived thread that the pacer starts when one is due (at most one at a
 * time). The write side has its own lock, so that the pacer can skip a
 * heartbeat instead of queueing behind a write; the stall clock and the
 * heartbeat bookkeeping are under the connection's one lock.
 */
final class SendSide {
    private static final VarHandle HEARTBEATS_SENT =
            VarHandles.field(MethodHandles.lookup(), "heartbeatsSent", long.class);

    private final Failures failures;
    private final FrameConn conn;
    private final Ticker ticker;
    private final HeartbeatMetrics metrics;
    private final long intervalNanos;
    private final StallClocks clocks;
    private final PacerTimer pacer;
    private final BackgroundThreads threads;

    // the write side: our own lock, so that the sender can skip instead of waiting
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile long lastWrite;

    // guarded by lock, the connection's one lock
    private final ReentrantLock lock;
    private boolean heartbeatUnderWay;
    private boolean heartbeatDue;
    private boolean writeSideFailed;
    private boolean stopped;

    // a field, not a LongAdder: one heartbeat writer at a time, and an idle connection should cost little
    private volatile long heartbeatsSent;

    SendSide(FrameConn conn, HeartbeatConfig config, Failures failures, ReentrantLock lock, StallClocks clocks,
            PacerTimer pacer, BackgroundThreads threads) {
        this.conn = conn;
        this.failures = failures;
        this.ticker = conn.config().ticker();
        this.metrics = config.metrics();
        this.intervalNanos = config.sendInterval().toNanos();
        this.clocks = clocks;
        this.pacer = pacer;
        this.threads = threads;
        this.lock = lock;
        this.lastWrite = ticker.nanoTime();
    }

    /** When the last application frame or heartbeat began to be written, on the connection's clock. */
    long lastWrite() {
        return lastWrite;
    }

    /** HEARTBEAT frames sent so far. */
    long heartbeatsSent() {
        return heartbeatsSent;
    }

    /** Writes one application frame; {@code type} was checked. */
    void write(int type, ByteBuffer payload) throws IOException {
        boolean carriesPayload = payload.hasRemaining();
        Locks.lockInterruptibly(writeLock);
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

    // ---------------------------------------------------------------- heartbeats

    /**
     * A heartbeat is due at {@code now}: starts a short-lived thread that writes
     * it. If one is still under way, it writes this one too when it is done
     * (unless something was written meanwhile), as one sender thread would.
     * Skipped if an application write holds the write side (that is traffic,
     * and waiting behind it helps nobody) or the write side failed. Under the
     * lock, on the timer thread: nothing here blocks.
     */
    void heartbeatDueLocked(long now) {
        if (stopped || writeSideFailed) {
            return;
        }
        if (heartbeatUnderWay) {
            heartbeatDue = true;
            return;
        }
        if (!writeLock.tryLock()) {
            return; // not worth a thread: the thread would find the same
        }
        writeLock.unlock();
        heartbeatUnderWay = true;
        threads.startShortLived(this::heartbeats);
    }

    /** The connection stops: no heartbeat starts after this. Under the lock. */
    void stopLocked() {
        stopped = true;
    }

    /** A short-lived heartbeat thread: one heartbeat, and another for each that fell due meanwhile. */
    private void heartbeats() {
        boolean ok = true;
        while (true) {
            ok = ok && sendHeartbeat();
            lock.lock();
            try {
                if (!ok || stopped || !heartbeatDue) {
                    heartbeatUnderWay = false;
                    writeSideFailed |= !ok;
                    return;
                }
                heartbeatDue = false;
            } finally {
                lock.unlock();
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
            // write waiting for this lock would wait uncounted by the send stall clock, for ever. The
            // connection itself keeps the heartbeat's bytes apart from any frame written meanwhile.
            writeLock.unlock();
        }
        try {
            conn.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
            // the start, not the end: the peer may have the frame before we get to read the clock again
            lastWrite = start;
            HEARTBEATS_SENT.getAndAdd(this, 1L);
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
