package dev.frameconn;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.internal.Deadlines;
import dev.frameconn.metrics.FrameConnMetrics;
import dev.frameconn.transport.Transport;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The write side of a connection, the staging writer: frames leave in as few
 * system calls as the traffic allows, without delaying a frame when the
 * connection is idle.
 *
 * <p>At most one thread at a time holds the <em>pen</em> and does the I/O. A
 * writer that finds the pen free takes it and writes its frame at once. A
 * writer that comes while the pen is held copies its (small) frame into the
 * staging buffer and returns: the pen holder, having written, looks again and
 * sends everything staged meanwhile in one write, until nothing is left. So
 * frames of many threads gather into few system calls under load, and a lone
 * frame goes out immediately. A writer that streams may instead hand the pen
 * to a short-lived virtual thread, the flusher, so that it makes the next
 * frames while the previous ones are written; {@link HandoffPolicy} decides
 * when that pays and when the flusher lets go.
 *
 * <pre>
 *  state of the pen (guarded by lock)        staging/sending buffers exist exactly while held
 *
 *          write(), pen free             nothing staged: drop
 *   FREE ------------------------> CALLER -------------------------------------> FREE
 *    ^ ^   (writes its frame, then |  policy.handOff(): start the flusher        ^
 *    | |    everything staged)     v                                             |
 *    | |                        FLUSHER --- nothing staged ---> LINGERING ---------+
 *    | |                          ^   (writes staged frames)     |  staged nothing in
 *    | |                          +------- a frame staged -------+  LINGER_NANOS, or the
 *    | |                                                            flusher quits (cheap
 *    | +-- a holder's write failed: FAILED (pen free, every call    writes), closing, or a
 *    |     throws ConnectionBrokenException)                        writer waits for the pen
 *    +---- never: writeFinal() takes the pen for good (FINISHED)
 *
 *   a writer that finds the pen held: small frame -> stage it (wait for room if full), return
 *                                     large frame or batch -> wait for FREE, write as CALLER
 *   the holder's loop: swap staging/sending under the lock; write sending outside it
 * </pre>
 *
 * <p>Large frames (over {@link #COPY_THRESHOLD}) are not copied: their writer
 * waits for the pen and sends header and payload by gathering writes. Frames
 * never interleave, and leave in the order they were accepted. A write error
 * is thrown to the pen holder whose write failed; writers whose frames were
 * staged see it as {@link ConnectionBrokenException} on their next call, on
 * {@link #flush()}, or on shutdown.
 */
final class Outbound {
    /** Staging buffer size: one system call carries up to this much of small frames. */
    static final int STAGING_SIZE = 64 << 10;
    /** Payloads up to this size are copied into the staging buffer; larger ones are gathered. */
    static final int COPY_THRESHOLD = 8 << 10;

    private final FrameConn owner;
    private final BufferPool pool;
    private final FrameConnMetrics metrics;
    private final WireWriter out;
    private final BatchGatherer batches;
    private final HandoffPolicy policy;

    private final WriterWaits lock = new WriterWaits();
    // guarded by lock; both buffers exist exactly while the pen is held
    private ByteBuffer staging;
    private ByteBuffer sending;
    private boolean penHeld;
    private boolean lingering;
    private boolean finished;
    private boolean closing;
    /** Writers waiting for the pen to be free: a lingering flusher lets go for them. */
    private int penWaiters;
    private long acceptedFrames;
    private long writtenFrames;
    private volatile IOException failure;

    Outbound(FrameConn owner, Transport wire, Deadlines deadlines, BufferPool pool, FrameConnMetrics metrics) {
        this.owner = owner;
        this.pool = pool;
        this.metrics = metrics;
        this.out = new WireWriter(owner, wire, deadlines);
        this.batches = new BatchGatherer(out, metrics);
        this.policy = new HandoffPolicy(deadlines::now); // the connection's ticker
    }

    /** Writes or stages one frame; see the class comment. */
    void write(int type, ByteBuffer payload) throws IOException {
        int length = payload.remaining();
        if (length <= COPY_THRESHOLD) {
            if (stage(type, payload, length)) {
                flushHeld(false);
            }
        } else {
            writeLarge(type, payload, length);
        }
    }

    /** Copies a small frame in; returns true if the caller took the pen and must write. */
    private boolean stage(int type, ByteBuffer payload, int length) throws IOException {
        lock.lockInterruptibly();
        try {
            while (true) {
                checkWritable();
                if (!penHeld) {
                    takePen();
                    break;
                }
                if (staging.remaining() >= FrameHeader.LENGTH + length) {
                    copyIn(type, payload, length);
                    if (lingering) {
                        lock.wakeAll(); // the background flusher waits for work
                    }
                    return false; // the pen holder sends it with the next write
                }
                lock.awaitRoom();
            }
            copyIn(type, payload, length);
            if (policy.handOff()) {
                // back to back: write in the background while the caller makes the next frame
                try {
                    Thread.ofVirtual().name("frameconn-flusher").start(this::flushInBackground);
                    return false;
                } catch (RuntimeException | OutOfMemoryError e) {
                    policy.handOffFailed(); // no thread to hand off to: the caller writes, as when idle
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the pen to be free and takes it for {@code frames} frames of
     * the caller's own. The pen was free, so nothing is staged: they are next
     * in order. Returns the buffer the caller may use under the pen.
     */
    private ByteBuffer takePenWhenFree(int frames) throws IOException {
        lock.lockInterruptibly();
        try {
            while (true) {
                checkWritable();
                if (!penHeld) {
                    break;
                }
                penWaiters++;
                try {
                    if (lingering) {
                        lock.wakeAll(); // the flusher has nothing to write: let it go now
                    }
                    lock.awaitChange();
                } finally {
                    penWaiters--;
                }
            }
            takePen();
            acceptedFrames += frames;
            return sending;
        } finally {
            lock.unlock();
        }
    }

    /** Under the pen: {@code frames} of the caller's own were handed to the OS. */
    private void countWritten(int frames) {
        lock.lock();
        try {
            writtenFrames += frames;
        } finally {
            lock.unlock();
        }
    }

    private void writeLarge(int type, ByteBuffer payload, int length) throws IOException {
        ByteBuffer head = takePenWhenFree(1);
        try {
            FrameHeader.encode(head, 0, type, length);
            head.position(0).limit(FrameHeader.LENGTH);
            out.writeGathering(head, payload);
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
            throw e;
        }
        metrics.frameWritten(type, length);
        countWritten(1);
        flushHeld(false);
    }

    /** Writes every frame of the batch, in order, then clears it; see {@link BatchGatherer}. */
    void writeBatch(FrameBatch batch) throws IOException {
        int count = batch.size();
        takePenWhenFree(count);
        try {
            batches.write(batch);
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
            throw e;
        }
        countWritten(count);
        batch.clear();
        flushHeld(false);
    }

    /** Waits until every frame accepted before this call has been handed to the OS. */
    void flush() throws IOException {
        lock.lockInterruptibly();
        try {
            long target = acceptedFrames;
            while (writtenFrames < target && failure == null && penHeld) {
                lock.awaitChange();
            }
            if (writtenFrames < target && failure != null) {
                throw new ConnectionBrokenException("write", failure);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends the last frame of the connection (RST) after everything staged, and
     * keeps the pen for good: nothing can follow. Waits for a pen holder inside;
     * the shutdown deadline bounds that wait, since it aborts blocked I/O.
     */
    void writeFinal(int type, ShutdownReason reason) throws IOException {
        ByteBuffer last;
        lock.lock();
        try {
            lock.wakeAll(); // a lingering background flusher lets go at once
            while (penHeld && !finished) {
                lock.awaitChangeUninterruptibly();
            }
            if (failure != null) {
                throw new ConnectionBrokenException("write", failure);
            }
            if (finished) {
                throw new IllegalStateException("final frame already written");
            }
            finished = true;
            takePen();
            last = sending;
        } finally {
            lock.unlock();
        }
        try {
            int payload = reason == null ? 0 : reason.encode(last, FrameHeader.LENGTH);
            FrameHeader.encode(last, 0, type, payload);
            last.position(0).limit(FrameHeader.LENGTH + payload);
            out.writeFully(last);
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
            throw e;
        }
        lock.lock();
        try {
            releaseBuffers();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection closed: wakes waiting writers, and waits (briefly: the
     * transport is closed, so any write in progress fails at once) until a pen
     * holder has let go, so that the buffers are back in the pool on return.
     */
    void close() {
        lock.lock();
        try {
            closing = true;
            lock.wakeAll();
            long left = TimeUnit.SECONDS.toNanos(5);
            while (penHeld && !finished && left > 0) {
                left = lock.awaitChange(left);
            }
            if (!penHeld || finished) {
                releaseBuffers();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** A frame was read on the calling thread: its next write answers it. */
    void noteRead() {
        policy.noteRead();
    }

    private void flushInBackground() {
        policy.flusherStarted();
        try {
            while (flushHeld(true)) {
                // woken with new frames: write them too
            }
        } catch (IOException | RuntimeException e) {
            // recorded by fail(); the writers see it on their next call
        }
    }

    /**
     * With the pen: writes what is staged until nothing is. Then drops the pen
     * and returns false; or, if {@code linger} (the flusher), first waits up to
     * {@link HandoffPolicy#LINGER_NANOS} for more frames and returns true if some came.
     */
    private boolean flushHeld(boolean linger) throws IOException {
        boolean mayLinger = linger;
        long batchEnd = 0;
        while (true) {
            ByteBuffer full;
            lock.lock();
            try {
                writtenFrames = Math.max(writtenFrames, batchEnd);
                if (mayLinger && policy.flusherQuits()) {
                    mayLinger = false; // let go as soon as everything staged is written
                }
                if (staging.position() == 0 && mayLinger && !closing && awaitWork()) {
                    return true;
                }
                if (staging.position() == 0) {
                    dropPen();
                    return false;
                }
                full = staging;
                staging = sending;
                staging.clear();
                sending = full;
                batchEnd = acceptedFrames;
                lock.wakeAll(); // room again for writers waiting to stage
            } finally {
                lock.unlock();
            }
            try {
                if (mayLinger) {
                    long began = policy.now();
                    out.writeFully(full.flip());
                    policy.flusherWrote(began);
                } else {
                    out.writeFully(full.flip());
                }
            } catch (IOException | RuntimeException | Error e) {
                fail(e);
                throw e;
            }
        }
    }

    /**
     * Under the lock, pen held, nothing staged: waits a little for frames; true
     * if some came. The ticker decides when the linger is over;
     * the park is in real time, at most what is left of it.
     */
    private boolean awaitWork() {
        lingering = true;
        lock.signalChange(); // flush() callers: everything so far is written
        try {
            long deadline = policy.lingerDeadline();
            long left = HandoffPolicy.LINGER_NANOS;
            while (staging.position() == 0 && left > 0 && penWaiters == 0 && !closing && !owner.isShuttingDown()) {
                lock.awaitWork(left);
                left = Math.min(HandoffPolicy.LINGER_NANOS, policy.left(deadline));
            }
        } finally {
            lingering = false;
        }
        return staging.position() > 0;
    }

    private void takePen() {
        penHeld = true;
        policy.penTaken();
        if (staging == null) {
            staging = pool.acquire(STAGING_SIZE);
            sending = pool.acquire(STAGING_SIZE);
        }
        staging.clear();
        sending.clear();
    }

    private void dropPen() {
        penHeld = false;
        policy.penDropped();
        releaseBuffers();
        lock.wakeAll();
    }

    private void releaseBuffers() {
        if (staging != null) {
            pool.release(staging);
            pool.release(sending);
            staging = null;
            sending = null;
        }
    }

    /**
     * The pen holder's write failed: the connection fails for every writer. A
     * transport (or a bug) that throws something other than an IOException
     * fails it the same way, so that the pen and its buffers are not held for
     * ever; the caller rethrows {@code e}.
     */
    private void fail(Throwable e) {
        IOException cause = e instanceof IOException io ? io : new IOException("frameconn: write failed unexpectedly", e);
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            penHeld = false;
            policy.penLost();
            releaseBuffers();
            lock.wakeAll();
        } finally {
            lock.unlock();
        }
    }

    private void checkWritable() throws IOException {
        if (finished || owner.isShuttingDown()) {
            throw owner.shuttingDown();
        }
        if (failure != null) {
            throw new ConnectionBrokenException("write", failure);
        }
    }

    /** Under the lock, pen held: a small frame into the staging buffer, accepted. */
    private void copyIn(int type, ByteBuffer payload, int length) {
        BatchGatherer.copyFrame(staging, type, payload, length);
        metrics.frameWritten(type, length);
        acceptedFrames++;
    }
}
