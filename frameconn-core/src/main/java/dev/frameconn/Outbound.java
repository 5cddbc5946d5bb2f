package dev.frameconn;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.internal.Deadlines;
import dev.frameconn.metrics.FrameConnMetrics;
import dev.frameconn.transport.Transport;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write side of a connection: frames leave in as few system calls as the
 * traffic allows, without delaying a frame when the connection is idle.
 *
 * <p>At most one thread at a time holds the <em>pen</em> and does the I/O. A
 * writer that finds the pen free takes it and writes its frame at once. A
 * writer that comes while the pen is held copies its (small) frame into the
 * staging buffer and returns: the pen holder, having written, looks again and
 * sends everything staged meanwhile in one write, until nothing is left. So
 * frames of many threads gather into few system calls under load, and a lone
 * frame goes out immediately. When one thread writes back to back (it calls
 * again within {@link #STREAMING_WINDOW_NANOS} of its last write), its frame is
 * staged and a short-lived virtual thread takes the pen, so that the caller
 * produces the next frames while the previous ones are being written. That
 * pays only while a write costs more than waking a thread: the hand-off needs
 * the caller's own writes to take {@link #HANDOFF_MIN_WRITE_NANOS} or more, and
 * a flusher whose writes turn out cheaper lets go again (see
 * {@link #CHEAP_WRITES_TO_QUIT}), so that a fast transport is written by its
 * callers without thread wake-ups (which the JDK pays for with an allocation).
 *
 * <pre>
 *   writer:  pen free?  --yes--> take pen, stage, write staged until empty, drop pen
 *                       --no---> stage (wait for room if full), return
 *   pen holder loop:    swap staging/sending under the lock; write sending outside it
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
    /**
     * Largest payload slice per system call. Blocking sockets write a whole
     * buffer in one call; slices keep the idle timeout's notion of progress fine.
     */
    static final int MAX_WRITE_CHUNK = 1 << 20;
    /** Segments one gathering write of a batch may have (headers and payloads). */
    static final int BATCH_SEGMENTS = 64;
    /** Calls closer than this to the end of the previous write count as back to back: 2 µs. */
    static final long STREAMING_WINDOW_NANOS = 2_000;
    /** Back-to-back writes in a row before the writing is handed to a background thread. */
    static final int STREAK = 3;
    /**
     * Hand the writing to a background thread only if the last write took at
     * least this long (1 µs): a hand-off costs about that, so for a transport
     * whose writes are cheaper (in-memory) the caller writes itself.
     */
    static final long HANDOFF_MIN_WRITE_NANOS = 1_000;
    /**
     * How long a background flusher that caught up waits for more frames before
     * it lets go of the pen and ends: 50 µs. Starting a thread per catch-up
     * would cost more than the frames it carries.
     */
    static final long LINGER_NANOS = 50_000;
    /**
     * A background flusher whose writes came back faster than
     * {@link #HANDOFF_MIN_WRITE_NANOS} this many times in a row lets go: the
     * caller can write as fast as it makes frames, and waking a thread per
     * handful of frames would cost more (time, and the JDK's allocation per
     * wake-up) than it saves.
     */
    static final int CHEAP_WRITES_TO_QUIT = 8;
    /**
     * After a flusher let go for that reason, callers write this many times
     * themselves before another hand-off; the hold doubles with every such
     * quit in a row (up to {@link #MAX_HOLD_AFTER_QUIT}), because each costs a
     * thread start.
     */
    static final int HOLD_AFTER_QUIT = 4096;
    /** The longest hold: 2^24 direct writes. */
    static final int MAX_HOLD_AFTER_QUIT = 1 << 24;

    private final FrameConn owner;
    private final Transport wire;
    private final Deadlines deadlines;
    private final BufferPool pool;
    private final FrameConnMetrics metrics;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock; both buffers exist exactly while the pen is held
    private ByteBuffer staging;
    private ByteBuffer sending;
    private boolean penHeld;
    private boolean lingering;
    private boolean finished;
    private long lastPenDrop;
    private int streak;
    /** The thread that read a frame last, until it writes; a plain field: a hint, not a guarantee. */
    private Thread readerSinceWrite;
    private long penTaken;
    /** How long the last caller (not the background flusher) held the pen to write its frames itself. */
    private long lastWriteNanos;
    /** True while the background flusher holds the pen. */
    private boolean background;
    /** Direct writes to go before the next hand-off is allowed (see {@link #HOLD_AFTER_QUIT}). */
    private int handoffHold;
    /** The hold the next quit imposes. */
    private int nextHold = HOLD_AFTER_QUIT;
    // background flusher only
    private int cheapWrites;
    /** This flusher made a write slow enough to be worth handing off: the next quit holds briefly again. */
    private boolean slowWrite;
    private long acceptedFrames;
    private long writtenFrames;
    private volatile IOException failure;
    private boolean closing;
    /**
     * One writer waiting for room in the staging buffer parks here instead of
     * on the condition: a condition wait allocates a queue node, and a writer
     * that outpaces the network waits once per staging buffer.
     */
    private Thread roomWaiter;
    /** The lingering background flusher, parked until a frame is staged. */
    private Thread workWaiter;
    // pen holder only
    private final ByteBuffer[] gather = new ByteBuffer[2];
    // writeBatch only (under the pen): made on first use, kept for the connection's life
    private ByteBuffer batchBuffer;
    private ByteBuffer[] batchViews;
    private final ByteBuffer[] segments = new ByteBuffer[BATCH_SEGMENTS];
    private final int[] segmentPositions = new int[BATCH_SEGMENTS];
    private int segmentCount;
    private int regionStart;
    private int viewsUsed;
    private long segmentBytes;

    Outbound(FrameConn owner, Transport wire, Deadlines deadlines, BufferPool pool, FrameConnMetrics metrics) {
        this.owner = owner;
        this.wire = wire;
        this.deadlines = deadlines;
        this.pool = pool;
        this.metrics = metrics;
    }

    /** Writes or stages one frame; see the class comment. */
    void write(int type, ByteBuffer payload) throws IOException {
        int length = payload.remaining();
        if (length <= COPY_THRESHOLD) {
            if (stage(type, payload, length)) {
                flushHeld();
            }
        } else {
            writeLarge(type, payload, length);
        }
    }

    /** Copies a small frame in; returns true if the caller took the pen and must write. */
    private boolean stage(int type, ByteBuffer payload, int length) throws IOException {
        lockInterruptibly();
        try {
            while (true) {
                checkWritable();
                if (!penHeld) {
                    takePen();
                    break;
                }
                if (staging.remaining() >= FrameHeader.LENGTH + length) {
                    copyIn(staging, type, payload, length);
                    if (lingering) {
                        wakeAll(); // the background flusher waits for work
                    }
                    return false; // the pen holder sends it with the next write
                }
                awaitRoom();
            }
            copyIn(staging, type, payload, length);
            if (streaming() && lastWriteNanos >= HANDOFF_MIN_WRITE_NANOS && handoffHold == 0) {
                // back to back: write in the background while the caller makes the next frame
                background = true;
                try {
                    Thread.ofVirtual().name("frameconn-flusher").start(this::flushInBackground);
                    return false;
                } catch (RuntimeException | OutOfMemoryError e) {
                    background = false; // no thread to hand off to: the caller writes, as when idle
                }
            }
            if (handoffHold > 0) {
                handoffHold--;
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
        lockInterruptibly();
        try {
            while (true) {
                checkWritable();
                if (!penHeld) {
                    break;
                }
                awaitChange();
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
        ByteBuffer out = takePenWhenFree(1);
        try {
            FrameHeader.encode(out, 0, type, length);
            out.position(0).limit(FrameHeader.LENGTH);
            writeGathering(out, payload);
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
            throw e;
        }
        metrics.frameWritten(type, length);
        countWritten(1);
        flushHeld();
    }

    /**
     * Writes every frame of the batch, in order, then clears it. Small frames
     * and the headers of large ones are copied into the batch buffer; large
     * payloads are not copied but gathered behind them, so one system call
     * carries up to {@link #MAX_WRITE_CHUNK} bytes whatever the frame sizes.
     */
    void writeBatch(FrameBatch batch) throws IOException {
        int count = batch.size();
        takePenWhenFree(count);
        if (batchBuffer == null) {
            batchBuffer = ByteBuffer.allocateDirect(STAGING_SIZE);
            batchViews = new ByteBuffer[BATCH_SEGMENTS];
            for (int i = 0; i < BATCH_SEGMENTS; i++) {
                batchViews[i] = batchBuffer.duplicate();
            }
        }
        ByteBuffer buf = batchBuffer.clear();
        resetSegments();
        try {
            for (int i = 0; i < count; i++) {
                int type = batch.type(i);
                ByteBuffer payload = batch.payload(i);
                int length = payload.remaining();
                if (length <= COPY_THRESHOLD) {
                    if (buf.remaining() < FrameHeader.LENGTH + length) {
                        sendSegments();
                    }
                    copyIn(buf, type, payload, length);
                } else {
                    if (buf.remaining() < FrameHeader.LENGTH || segmentCount + 3 > BATCH_SEGMENTS) {
                        sendSegments();
                    }
                    FrameHeader.encode(buf, buf.position(), type, length);
                    buf.position(buf.position() + FrameHeader.LENGTH);
                    if (length > MAX_WRITE_CHUNK) {
                        sendSegments(); // ends with this header
                        ByteBuffer none = buf.clear().limit(0);
                        writeGathering(none, payload);
                        buf.clear();
                    } else {
                        addRegion();
                        if (alreadyGathered(payload)) {
                            // one buffer object twice in a gathering write: a partial write would move
                            // its one position for both, so the repeat gets a view of its own
                            segmentPositions[segmentCount] = -1;
                            segments[segmentCount++] = payload.duplicate();
                        } else {
                            segmentPositions[segmentCount] = payload.position();
                            segments[segmentCount++] = payload;
                        }
                        segmentBytes += length;
                        if (segmentBytes >= MAX_WRITE_CHUNK) {
                            sendSegments();
                        }
                    }
                }
                metrics.frameWritten(type, length);
            }
            sendSegments();
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
            throw e;
        } finally {
            restorePayloads();
        }
        countWritten(count);
        batch.clear();
        flushHeld();
    }

    private boolean alreadyGathered(ByteBuffer payload) {
        for (int i = 0; i < segmentCount; i++) {
            if (segments[i] == payload) {
                return true;
            }
        }
        return false;
    }

    /** Adds the bytes copied into the batch buffer since the last region as a segment. */
    private void addRegion() {
        int end = batchBuffer.position();
        if (end > regionStart) {
            ByteBuffer view = batchViews[viewsUsed++];
            view.limit(end).position(regionStart);
            segmentPositions[segmentCount] = -1;
            segments[segmentCount++] = view;
            segmentBytes += end - regionStart;
            regionStart = end;
        }
    }

    /** Writes the collected segments with gathering writes, then starts over. */
    private void sendSegments() throws IOException {
        addRegion();
        int first = 0;
        while (first < segmentCount) {
            deadlines.beginWrite();
            try {
                wire.write(segments, first, segmentCount - first);
            } catch (IOException e) {
                throw owner.translate(e);
            } finally {
                deadlines.endWrite();
            }
            while (first < segmentCount && !segments[first].hasRemaining()) {
                first++;
            }
        }
        restorePayloads();
        resetSegments();
        batchBuffer.clear();
    }

    private void restorePayloads() {
        for (int i = 0; i < segmentCount; i++) {
            if (segmentPositions[i] >= 0) {
                segments[i].position(segmentPositions[i]);
            }
        }
    }

    private void resetSegments() {
        java.util.Arrays.fill(segments, 0, segmentCount, null); // do not keep callers' buffers reachable
        segmentCount = 0;
        viewsUsed = 0;
        regionStart = 0;
        segmentBytes = 0;
    }

    /** Waits until every frame accepted before this call has been handed to the OS. */
    void flush() throws IOException {
        lockInterruptibly();
        try {
            long target = acceptedFrames;
            while (writtenFrames < target && failure == null && penHeld) {
                awaitChange();
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
        ByteBuffer out;
        lock.lock();
        try {
            wakeAll(); // a lingering background flusher lets go at once
            while (penHeld && !finished) {
                changed.awaitUninterruptibly();
            }
            if (failure != null) {
                throw new ConnectionBrokenException("write", failure);
            }
            if (finished) {
                throw new IllegalStateException("final frame already written");
            }
            finished = true;
            takePen();
            out = sending;
        } finally {
            lock.unlock();
        }
        try {
            int payload = reason == null ? 0 : reason.encode(out, FrameHeader.LENGTH);
            FrameHeader.encode(out, 0, type, payload);
            out.position(0).limit(FrameHeader.LENGTH + payload);
            writeFully(out);
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
            wakeAll();
            long left = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (penHeld && !finished && left > 0) {
                left = changed.awaitNanos(left);
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

    private void flushInBackground() {
        cheapWrites = 0;
        slowWrite = false;
        try {
            while (flushHeld(true)) {
                // woken with new frames: write them too
            }
        } catch (IOException | RuntimeException e) {
            // recorded by fail(); the writers see it on their next call
        }
    }

    /** With the pen: writes what is staged until nothing is, then drops the pen. */
    private void flushHeld() throws IOException {
        flushHeld(false);
    }

    /**
     * With the pen: writes what is staged until nothing is. Then drops the pen
     * and returns false; or, if {@code linger}, first waits up to
     * {@link #LINGER_NANOS} for more frames and returns true if some came.
     */
    private boolean flushHeld(boolean linger) throws IOException {
        boolean mayLinger = linger;
        long batchEnd = 0;
        while (true) {
            ByteBuffer out;
            lock.lock();
            try {
                writtenFrames = Math.max(writtenFrames, batchEnd);
                if (mayLinger && cheapWrites >= CHEAP_WRITES_TO_QUIT) {
                    mayLinger = false; // let go as soon as everything staged is written
                    if (slowWrite) {
                        nextHold = HOLD_AFTER_QUIT;
                    }
                    handoffHold = nextHold;
                    nextHold = (int) Math.min(MAX_HOLD_AFTER_QUIT, 2L * nextHold);
                }
                if (staging.position() == 0 && mayLinger && !closing && awaitWork()) {
                    return true;
                }
                if (staging.position() == 0) {
                    dropPen();
                    return false;
                }
                out = staging;
                staging = sending;
                staging.clear();
                sending = out;
                batchEnd = acceptedFrames;
                wakeAll(); // room again for writers waiting to stage
            } finally {
                lock.unlock();
            }
            try {
                if (mayLinger) {
                    long began = System.nanoTime();
                    writeFully(out.flip());
                    if (System.nanoTime() - began < HANDOFF_MIN_WRITE_NANOS) {
                        cheapWrites++;
                    } else {
                        cheapWrites = 0;
                        slowWrite = true;
                    }
                } else {
                    writeFully(out.flip());
                }
            } catch (IOException | RuntimeException | Error e) {
                fail(e);
                throw e;
            }
        }
    }

    /**
     * Under the lock, pen held, nothing staged: waits a little for frames; true
     * if some came. Parks directly rather than on the condition, whose every
     * wait allocates a queue node.
     */
    private boolean awaitWork() {
        lingering = true;
        changed.signalAll(); // flush() callers: everything so far is written
        Thread me = Thread.currentThread();
        workWaiter = me;
        try {
            long deadline = System.nanoTime() + LINGER_NANOS;
            long left = LINGER_NANOS;
            while (staging.position() == 0 && left > 0 && !closing && !owner.isShuttingDown()) {
                lock.unlock();
                try {
                    java.util.concurrent.locks.LockSupport.parkNanos(this, left);
                } finally {
                    lock.lock();
                }
                left = deadline - System.nanoTime();
            }
        } finally {
            workWaiter = null;
            lingering = false;
        }
        return staging.position() > 0;
    }

    private void takePen() {
        penHeld = true;
        penTaken = System.nanoTime();
        if (staging == null) {
            staging = pool.acquire(STAGING_SIZE);
            sending = pool.acquire(STAGING_SIZE);
        }
        staging.clear();
        sending.clear();
    }

    private void dropPen() {
        penHeld = false;
        lastPenDrop = System.nanoTime();
        if (background) {
            background = false; // the flusher's long hold says nothing about how fast the caller's writes are
        } else {
            lastWriteNanos = lastPenDrop - penTaken;
        }
        releaseBuffers();
        wakeAll();
    }

    private void releaseBuffers() {
        if (staging != null) {
            pool.release(staging);
            pool.release(sending);
            staging = null;
            sending = null;
        }
    }

    private void fail(IOException e) {
        lock.lock();
        try {
            if (failure == null) {
                failure = e;
            }
            penHeld = false;
            background = false;
            releaseBuffers();
            wakeAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pen holder's write failed: the connection fails for every writer. A
     * transport (or a bug) that throws something other than an IOException
     * fails it the same way, so that the pen and its buffers are not held for
     * ever; the caller rethrows {@code e}.
     */
    private void fail(Throwable e) {
        fail(e instanceof IOException io ? io : new IOException("frameconn: write failed unexpectedly", e));
    }

    private void checkWritable() throws IOException {
        if (finished || owner.isShuttingDown()) {
            throw owner.shuttingDown();
        }
        if (failure != null) {
            throw new ConnectionBrokenException("write", failure);
        }
    }

    private void metricsAndCount(int type, int length) {
        metrics.frameWritten(type, length);
        acceptedFrames++;
    }

    private void copyIn(ByteBuffer out, int type, ByteBuffer payload, int length) {
        int at = out.position();
        FrameHeader.encode(out, at, type, length);
        out.put(at + FrameHeader.LENGTH, payload, payload.position(), length);
        out.position(at + FrameHeader.LENGTH + length);
        if (out == staging) {
            metricsAndCount(type, length);
        }
    }

    private void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            deadlines.beginWrite();
            try {
                wire.write(src);
            } catch (IOException e) {
                throw owner.translate(e);
            } finally {
                deadlines.endWrite();
            }
        }
    }

    /** {@code head} then the payload, in gathering writes of at most {@link #MAX_WRITE_CHUNK} of payload. */
    private void writeGathering(ByteBuffer head, ByteBuffer payload) throws IOException {
        int position = payload.position();
        int end = payload.limit();
        gather[0] = head;
        gather[1] = payload;
        try {
            while (head.hasRemaining() || payload.position() < end) {
                payload.limit(Math.min(end, payload.position() + MAX_WRITE_CHUNK));
                deadlines.beginWrite();
                try {
                    wire.write(gather, 0, 2);
                } catch (IOException e) {
                    throw owner.translate(e);
                } finally {
                    deadlines.endWrite();
                }
            }
        } finally {
            gather[1] = null; // do not keep the caller's buffer reachable
            payload.limit(end).position(position);
        }
    }

    /**
     * Under the lock, with the pen just taken: is the caller streaming? That is,
     * its last {@link #STREAK} writes came back to back, and it read no frame in
     * between. A thread that reads between writes is doing request and response,
     * where a hand-off to another thread would only add latency; and on loopback
     * a write system call lasts nearly a round trip (it wakes the reader inline),
     * so the gap between writes alone cannot tell the two apart.
     */
    private boolean streaming() {
        Thread me = Thread.currentThread();
        if (readerSinceWrite == me) {
            readerSinceWrite = null;
            streak = 0;
        } else if (penTaken - lastPenDrop < STREAMING_WINDOW_NANOS) {
            streak++;
        } else {
            streak = 0;
        }
        return streak >= STREAK;
    }

    /** A frame was read on the calling thread: its next write answers it. */
    void noteRead() {
        readerSinceWrite = Thread.currentThread();
    }

    /** Under the lock: waits for the pen holder to make room (or for any change). */
    private void awaitRoom() throws InterruptedIOException {
        if (roomWaiter != null) {
            awaitChange();
            return;
        }
        Thread me = Thread.currentThread();
        roomWaiter = me;
        lock.unlock();
        try {
            java.util.concurrent.locks.LockSupport.park(this); // woken by wakeAll(); spurious wake-ups re-check
        } finally {
            lock.lock();
            if (roomWaiter == me) {
                roomWaiter = null;
            }
        }
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to write");
        }
    }

    /** Under the lock: wakes everyone waiting for a change. */
    private void wakeAll() {
        changed.signalAll();
        Thread waiter = roomWaiter;
        if (waiter != null) {
            java.util.concurrent.locks.LockSupport.unpark(waiter);
        }
        waiter = workWaiter;
        if (waiter != null) {
            java.util.concurrent.locks.LockSupport.unpark(waiter);
        }
    }

    private void awaitChange() throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to write");
        }
    }

    private void lockInterruptibly() throws InterruptedIOException {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to write");
        }
    }
}
