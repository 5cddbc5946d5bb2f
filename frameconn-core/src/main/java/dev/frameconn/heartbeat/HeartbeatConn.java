package dev.frameconn.heartbeat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.ShutdownResult;
import dev.frameconn.internal.jfr.FrameConnEvents;
import dev.frameconn.time.Ticker;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The heartbeat layer over a {@link FrameConn}, wire-compatible with zrepl's
 * {@code heartbeatconn}: an empty HEARTBEAT frame ({@value #HEARTBEAT_HEX}) goes
 * out whenever nothing was written for the send interval, and a peer that sends
 * nothing at all for the peer timeout is dead.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Control frames are always consumed.</b> A background reader reads
 *       every frame as it arrives, also while the application is busy: heartbeats
 *       are dropped there and renew our write timeout
 *       ({@link FrameConn#resetWriteTimeout()}), the peer's RST puts the
 *       connection into shutdown at once. zrepl saw both only inside its
 *       {@code ReadFrame}, so a busy receiver could time out a live peer.</li>
 *   <li><b>Back-pressure stays.</b> Application frames wait in a queue of at most
 *       {@link HeartbeatConfig#receiveQueueFrames()} frames; when it is full the
 *       reader stops reading, so TCP flow control slows the peer down as before.
 *       {@link #readFrame()} hands frames out in arrival order, then the failure
 *       that ended the reader (end of stream, shutdown, timeout...).</li>
 *   <li><b>Liveness and progress are separate.</b> The connection's idle timeout
 *       is the peer timeout: a silent peer fails reads and writes with
 *       {@link PeerTimeoutException}; any frame, a heartbeat included, proves
 *       the peer alive. With a {@link HeartbeatConfig#stallTimeout()}, a peer
 *       that is alive but moves no payload byte to a waiting reader, or takes
 *       none from a waiting writer, for that long fails them with
 *       {@link StreamStalledException} instead of being kept alive for ever.
 *       Only payload bytes are progress: heartbeats and application frames
 *       with an empty payload keep the peer alive but do not hold a stall off
 *       (see "Stall clocks" below).</li>
 *   <li><b>Heartbeats never queue behind a blocked writer.</b> If an application
 *       write holds the connection, the heartbeat is skipped: that write is
 *       traffic the peer sees, and if it is blocked, the peer's write timeout
 *       is not ours to renew. Nor do application writes queue behind a
 *       blocked heartbeat at this layer: the heartbeat is written without the
 *       write side's lock, so a write behind it waits inside the connection,
 *       where the send stall clock counts it. Timers never wait on I/O.</li>
 *   <li><b>No stray threads.</b> The reader, the pacer (timers) and the
 *       heartbeat sender end on {@link #shutdown()} and {@link #close()}, which
 *       wait for them.</li>
 * </ul>
 *
 * <p>Application types must leave bits 24..31 clear: 24..27 belong to this
 * layer, 28..31 to framing. Writing another type is an
 * {@link IllegalArgumentException}; receiving one other than HEARTBEAT is a
 * {@link HeartbeatProtocolException}. Time comes from the connection's
 * {@link dev.frameconn.FrameConnConfig#ticker()}, so tests drive it by hand.
 *
 * <h2>Stall clocks</h2>
 * Two clocks, one per direction, count time in which the application waits on
 * the peer and no payload byte moves; the pacer reports a stall when either
 * reaches the stall timeout.
 * <ul>
 *   <li><b>Receiving</b> runs while a thread waits in {@link #readFrame()}
 *       for a frame to arrive. It goes back to zero when an application frame
 *       with at least one payload byte arrives. An empty application frame
 *       ends the wait (it is handed out like any frame) but not the count: the
 *       next wait goes on from where this one stopped. An application that
 *       reads frames itself sees every empty one; if the peer sends them so
 *       fast that reads never wait, only its own rule can stop them. A layer
 *       for which they mean nothing reads with {@link #readFrameSkippingEmpty},
 *       whose wait, and clock, go on through any number of them.</li>
 *   <li><b>Sending</b> runs while an application {@link #writeFrame} (from the
 *       moment it has the write side to itself) or {@link #flush()} is under
 *       way. It goes back to zero when a write of a frame with at least one
 *       payload byte returns, or a flush returns that followed such a write.
 *       Time blocked writing empty frames adds up the same way.</li>
 * </ul>
 * Time in which the application does not wait on the peer is not counted
 * either way: an application busy elsewhere is not stalled by the peer. There
 * is no minimum rate: one payload byte per frame, however slowly, is progress.
 * Without this rule a peer trickling empty frames (empty data, an endless
 * empty error trailer) would hold a stream open for ever without moving a
 * byte; END also has an empty payload, so it ends a stream but does not
 * restart the clock for the next one.
 *
 * <h2>Threads</h2>
 * <pre>
 *   reader:  conn.readFrame() --HEARTBEAT--> drop, resetWriteTimeout
 *                             --application--> queue (blocks while full)
 *                             --failure-----> kept, handed to readFrame() after the queue
 *   pacer:   sleeps until the next heartbeat or stall could be due (no I/O);
 *            heartbeat due --> wakes the sender; stall --> closes the connection
 *   sender:  on wake-up: tryLock the write side; if no write came meanwhile, unlock and write HEARTBEAT
 * </pre>
 */
public final class HeartbeatConn implements AutoCloseable {
    /** The HEARTBEAT frame type, 1 &lt;&lt; 24; its payload is empty. */
    public static final int HEARTBEAT = 0x0100_0000;
    /** Type bits 24..27, reserved for this layer. */
    public static final int RESERVED_TYPE_MASK = 0x0F00_0000;
    /** The largest type an application of this layer may use. */
    public static final int MAX_APPLICATION_TYPE = 0x00FF_FFFF;
    static final String HEARTBEAT_HEX = "0x01000000";
    /** Real-time polling period of the pacer under a manual clock: 5 ms. */
    static final long MANUAL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long close waits for each background thread at most: 10 s. */
    private static final long JOIN_MILLIS = 10_000;
    private static final long IDLE = Long.MIN_VALUE;
    /** Matches no frame type: {@code readFrame(NO_TYPE)} skips nothing. */
    private static final int NO_TYPE = -1;

    private final FrameConn conn;
    private final HeartbeatConfig config;
    private final HeartbeatMetrics metrics;
    private final Ticker ticker;
    private final boolean manualClock;
    private final long intervalNanos;
    private final long stallNanos;
    private final int queueCapacity;

    // write side: our own lock, so that the sender can skip instead of waiting
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile long lastWrite;

    // everything below is guarded by lock; no I/O is done under it
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition pacerWake = lock.newCondition();
    private final Condition senderWake = lock.newCondition();
    private final ArrayDeque<Frame> queue;
    private IOException readerFailure;
    private int waitingReaders;
    // the stall clocks (see the class comment). While it runs, a clock is an origin: now minus the
    // time counted so far, so the pacer reads one field; while it stands, the count is kept apart.
    private long readWaitSince = IDLE;
    private long receiveWaited;
    private int sendsInProgress;
    private long sendSince = IDLE;
    private long sendWaited;
    private boolean payloadUnflushed;
    private boolean heartbeatDue;
    private boolean stopped;
    private long pacerTicks;
    private long pacerNextLook;

    private volatile StreamStalledException.Direction stalled;
    private final AtomicBoolean peerTimeoutCounted = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final LongAdder heartbeatsSent = new LongAdder();
    private final LongAdder heartbeatsReceived = new LongAdder();
    private volatile long lastReceived;

    private final Thread reader;
    private final Thread pacer;
    private final Thread sender;

    private HeartbeatConn(FrameConn conn, HeartbeatConfig config) {
        this.conn = conn;
        this.config = config;
        this.metrics = config.metrics();
        this.ticker = conn.config().ticker();
        this.manualClock = ticker != Ticker.system();
        this.intervalNanos = config.sendInterval().toNanos();
        this.stallNanos = config.stallTimeout().toNanos();
        this.queueCapacity = config.receiveQueueFrames();
        this.queue = new ArrayDeque<>(queueCapacity);
        long now = ticker.nanoTime();
        this.lastWrite = now;
        this.lastReceived = now;
        this.reader = newThread(config, this::readLoop);
        this.pacer = newThread(config, this::pacerLoop);
        this.sender = newThread(config, this::senderLoop);
    }

    private static Thread newThread(HeartbeatConfig config, Runnable task) {
        return Objects.requireNonNull(config.threadFactory().newThread(task),
                "threadFactory returned null");
    }

    /**
     * Puts the heartbeat layer on {@code conn}, which it owns from now on: its
     * idle timeout becomes {@link HeartbeatConfig#peerTimeout()}, and the
     * background threads start. Nobody else may read from {@code conn}.
     *
     * <p>If the thread factory fails (throws, returns null, or a thread cannot
     * start), {@code conn} is closed and the threads already started are
     * stopped before the failure is rethrown: nothing is left running.
     *
     * @param conn the framed connection, owned by the result from now on
     * @param config the heartbeat configuration
     * @return the heartbeat connection
     */
    public static HeartbeatConn wrap(FrameConn conn, HeartbeatConfig config) {
        Objects.requireNonNull(conn, "conn");
        Objects.requireNonNull(config, "config");
        HeartbeatConn hb = null;
        try {
            conn.setIdleTimeout(config.peerTimeout());
            hb = new HeartbeatConn(conn, config);
            hb.reader.start();
            hb.pacer.start();
            hb.sender.start();
            return hb;
        } catch (RuntimeException | Error e) {
            // a reader already started would otherwise read the connection for ever
            if (hb != null) {
                hb.close();
            } else {
                conn.close();
            }
            throw e;
        }
    }

    /**
     * True if {@code type} leaves bits 24..31 (heartbeat and framing layers) clear.
     *
     * @param type a frame type
     * @return whether {@code type} is an application type
     */
    public static boolean isApplicationType(int type) {
        return (type & (RESERVED_TYPE_MASK | FrameHeader.RESERVED_TYPE_MASK)) == 0;
    }

    // ---------------------------------------------------------------- reading

    /**
     * The next application frame, in arrival order; blocks until one is there.
     * The caller owns the frame and closes it. After the queued frames, the
     * failure that ended the background reader is thrown, again on every call.
     *
     * @return the frame, owned by the caller
     * @throws dev.frameconn.EndOfStreamException at the peer's clean end of stream
     * @throws dev.frameconn.ConnectionShutdownException after a shutdown or close,
     *         here or at the peer (its RST)
     * @throws PeerTimeoutException if the peer sent nothing for the peer timeout
     * @throws StreamStalledException if data stalled for the stall timeout
     * @throws HeartbeatProtocolException for an unknown type in bits 24..27
     * @throws InterruptedIOException if interrupted while waiting
     * @throws IOException any other failure of the connection's reads
     */
    public Frame readFrame() throws IOException {
        return readFrame(NO_TYPE);
    }

    /**
     * Like {@link #readFrame()}, but frames of {@code type} with an empty
     * payload are released here and the wait goes on, for a layer above in
     * which such a frame means nothing (the stream layer's empty data frames,
     * or empty pieces of an error trailer). The receive stall clock then runs
     * for the whole call, so a peer cannot hold a stall off with a flood of
     * them either, whereas frames handed out to the application end a wait.
     *
     * @param type the application type whose empty frames are skipped
     * @return the frame, owned by the caller
     * @throws IllegalArgumentException if {@code type} is not an application type
     * @throws IOException as {@link #readFrame()}
     */
    public Frame readFrameSkippingEmpty(int type) throws IOException {
        if (!isApplicationType(type)) {
            throw failReservedType(type);
        }
        return readFrame(type);
    }

    private Frame readFrame(int skipEmptyType) throws IOException {
        lockInterruptibly(lock);
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
                    StreamStalledException.Direction s = stalled;
                    if (s != null) {
                        throw stalledException(s, readerFailure);
                    }
                    if (f == null && readerFailure != null) {
                        throw readerFailure;
                    }
                    if (!counted) {
                        counted = true;
                        if (waitingReaders++ == 0) {
                            // the clock goes on from where the last wait left it
                            readWaitSince = ticker.nanoTime() - receiveWaited;
                            wakePacerIfLate(readWaitSince);
                        }
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
                if (counted && --waitingReaders == 0) {
                    // an empty frame ends the wait but not the count (a peer could trickle them for ever)
                    receiveWaited = payload ? 0 : ticker.nanoTime() - readWaitSince;
                    readWaitSince = IDLE;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void readLoop() {
        IOException failure;
        try {
            while (true) {
                Frame f = conn.readFrame();
                int type = f.type();
                lastReceived = ticker.nanoTime();
                if ((type & RESERVED_TYPE_MASK) == 0) {
                    // while stopping, frames are dropped but reading goes on: it ends with the
                    // connection's own shutdown or close, whose failure readFrame() then reports
                    enqueue(f);
                    continue;
                }
                f.close();
                if (type != HEARTBEAT) {
                    throw new HeartbeatProtocolException("received type=" + FrameHeader.typeToString(type)
                            + ": bits 24..27 are reserved and only HEARTBEAT=" + HEARTBEAT_HEX + " is defined");
                }
                heartbeatsReceived.increment();
                // the peer is alive: a write of ours blocked by it must not time out (SPEC §7)
                conn.resetWriteTimeout();
                metrics.heartbeatReceived();
            }
        } catch (IOException e) {
            failure = translate(e);
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

    /** Queues an application frame, or releases it if the connection is stopping. */
    private void enqueue(Frame f) {
        lock.lock();
        try {
            while (queue.size() >= queueCapacity && !stopped) {
                notFull.awaitUninterruptibly();
            }
            if (stopped) {
                f.close();
                return;
            }
            queue.add(f);
            if (f.length() > 0) {
                // payload bytes arrived: the receive stall clock starts over, for whoever waits or will
                receiveWaited = 0;
                if (waitingReaders > 0) {
                    readWaitSince = ticker.nanoTime();
                }
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes one application frame; see {@link FrameConn#writeFrame(int, ByteBuffer)}.
     *
     * @param type the frame type, an application type
     * @param payload the bytes between its position and limit are sent; left unchanged
     * @throws IllegalArgumentException if {@code type} uses bits 24..31 (nothing is written)
     * @throws PeerTimeoutException if the peer accepted nothing and sent no
     *         heartbeat for the peer timeout
     * @throws StreamStalledException if the peer, though alive, took no payload
     *         byte from our writes and flushes for the stall timeout (see the
     *         class comment)
     * @throws IOException any other failure of the connection's writes
     */
    public void writeFrame(int type, ByteBuffer payload) throws IOException {
        if (!isApplicationType(type)) {
            throw failReservedType(type);
        }
        Objects.requireNonNull(payload, "payload");
        boolean carriesPayload = payload.hasRemaining();
        lockInterruptibly(writeLock);
        try {
            // measured under the lock: waiting behind another writer is not a stall of ours
            sendStarted(false);
            boolean accepted = false;
            try {
                conn.writeFrame(type, payload);
                accepted = carriesPayload;
            } catch (IOException e) {
                throw translate(e);
            } finally {
                sendEnded(accepted, accepted);
            }
            lastWrite = ticker.nanoTime();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Waits until every frame written before has been handed to the operating
     * system; see {@link FrameConn#flush()}.
     *
     * @throws PeerTimeoutException if the peer accepted nothing and sent no
     *         heartbeat for the peer timeout
     * @throws StreamStalledException if the connection was closed for a stall,
     *         this flush's own included: a flush that waits counts towards the
     *         send stall clock
     * @throws IOException any other failure of the connection's writes
     */
    public void flush() throws IOException {
        // not under the write lock: a flush waits for frames already accepted, not for a turn to write
        boolean payload = sendStarted(true);
        boolean flushed = false;
        try {
            conn.flush();
            flushed = payload;
        } catch (IOException e) {
            throw translate(e);
        } finally {
            sendEnded(flushed, false);
        }
    }

    /**
     * An application write or flush begins: the send stall clock runs (on from
     * where it stood) until the last one under way ends. For a flush, returns
     * whether a frame with payload bytes was accepted since the last flush began.
     */
    private boolean sendStarted(boolean flush) {
        if (stallNanos == 0) {
            return false; // zero cost when stall detection is off
        }
        lock.lock();
        try {
            boolean unflushed = payloadUnflushed;
            if (flush) {
                payloadUnflushed = false;
            }
            if (sendsInProgress++ == 0) {
                sendSince = ticker.nanoTime() - sendWaited;
                wakePacerIfLate(sendSince);
            }
            return unflushed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * An application write or flush ended. {@code progress}: payload bytes
     * were accepted (a write) or handed to the operating system (a flush), so
     * the clock starts over; {@code accepted}: a write accepted payload bytes
     * that a later flush may still have to push out.
     */
    private void sendEnded(boolean progress, boolean accepted) {
        if (stallNanos == 0) {
            return;
        }
        lock.lock();
        try {
            long now = ticker.nanoTime();
            if (progress) {
                sendSince = now; // for a write or flush still under way in another thread
            }
            if (accepted) {
                payloadUnflushed = true;
            }
            if (--sendsInProgress == 0) {
                sendWaited = now - sendSince;
                sendSince = IDLE;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes a frame whose payload is the whole array; see {@link #writeFrame(int, ByteBuffer)}.
     *
     * @param type the frame type, an application type
     * @param payload the whole payload
     * @throws IOException as {@link #writeFrame(int, ByteBuffer)}
     */
    public void writeFrame(int type, byte[] payload) throws IOException {
        writeFrame(type, ByteBuffer.wrap(payload));
    }

    /**
     * Writes a frame with an empty payload; see {@link #writeFrame(int, ByteBuffer)}.
     *
     * @param type the frame type, an application type
     * @throws IOException as {@link #writeFrame(int, ByteBuffer)}
     */
    public void writeEmptyFrame(int type) throws IOException {
        writeFrame(type, ByteBuffer.allocate(0));
    }

    private static IllegalArgumentException failReservedType(int type) {
        return new IllegalArgumentException("type=" + FrameHeader.typeToString(type)
                + " uses reserved bits 24..31; application types are 0x00000000..0x00ffffff");
    }

    private void senderLoop() {
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
            conn.writeEmptyFrame(HEARTBEAT);
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

    // ---------------------------------------------------------------- timers

    private void pacerLoop() {
        lock.lock();
        try {
            while (!stopped) {
                long now = ticker.nanoTime();
                long wait = tickLocked(now);
                if (manualClock) {
                    wait = Math.min(wait, MANUAL_POLL_NANOS); // a manual clock jumps without telling
                }
                pacerNextLook = now + wait;
                if (wait > 0) {
                    pacerWake.awaitNanos(wait);
                }
            }
        } catch (InterruptedException e) {
            // only close() would interrupt; it stops us anyway
        } finally {
            lock.unlock();
        }
    }

    /**
     * One look at the timers at {@code now}: wakes the sender if a heartbeat is
     * due, reports a stall. Returns the nanoseconds until something could be due
     * next. Called with {@link #lock} held; a stall closes the connection, which
     * is a local close and does not block.
     */
    private long tickLocked(long now) {
        pacerTicks++;
        long next = lastWrite + intervalNanos - now;
        if (next <= 0) {
            heartbeatDue = true;
            senderWake.signal();
            next = intervalNanos;
        }
        if (stallNanos > 0 && stalled == null) {
            StreamStalledException.Direction s = null;
            long w = sendSince;
            long r = readWaitSince;
            // a clock that stands cannot expire before now + stall; starting it again wakes us
            long wLeft = w == IDLE ? stallNanos : w + stallNanos - now;
            long rLeft = r == IDLE ? stallNanos : r + stallNanos - now;
            if (wLeft <= 0) {
                s = StreamStalledException.Direction.SEND;
            } else if (rLeft <= 0) {
                s = StreamStalledException.Direction.RECEIVE;
            }
            if (s != null) {
                stalled = s;
                metrics.stalled(s);
                FrameConnEvents.stalled(conn.remoteAddress(), s, config.stallTimeout());
                // a blocked write can only be stopped by closing; either way the stream is in an unknown state
                conn.close();
                notEmpty.signalAll();
            } else {
                next = Math.min(next, Math.min(wLeft, rLeft));
            }
        }
        return next;
    }

    /**
     * A stall clock started again from {@code origin}, with time already on it:
     * wakes the pacer if the clock could run out before the pacer's next look.
     * Under {@link #lock}.
     */
    private void wakePacerIfLate(long origin) {
        if (stallNanos > 0 && origin + stallNanos - pacerNextLook < 0) {
            pacerWake.signal();
        }
    }

    private IOException translate(IOException e) {
        StreamStalledException.Direction s = stalled;
        if (s != null) {
            return stalledException(s, e);
        }
        if (e instanceof FrameTimeoutException t && t.kind() != FrameTimeoutException.Kind.DEADLINE) {
            if (peerTimeoutCounted.compareAndSet(false, true)) {
                metrics.peerTimedOut();
                FrameConnEvents.peerTimedOut(conn.remoteAddress(), config.peerTimeout(), t);
            }
            return new PeerTimeoutException(config.peerTimeout(), t);
        }
        return e;
    }

    private StreamStalledException stalledException(StreamStalledException.Direction s, Throwable cause) {
        return new StreamStalledException(s, config.stallTimeout(), cause);
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Stops heartbeats and shuts the connection down with the deadline now +
     * peer timeout (SPEC §7), then waits for the background threads. Frames still
     * queued are released. Never throws for peer or network failures; a
     * {@linkplain ShutdownResult#error() failure} met because the peer timed out
     * is a {@link PeerTimeoutException}.
     *
     * @return how the shutdown went
     */
    public ShutdownResult shutdown() {
        stopThreads();
        ShutdownResult result = conn.shutdown(config.peerTimeout());
        joinThreads();
        return namingThePeerTimeout(result);
    }

    /**
     * A shutdown that failed on the connection's idle timeout failed on the peer
     * timeout (the idle timeout is the peer timeout here): says so, as reads and
     * writes do, with the connection's exception as the cause.
     */
    private ShutdownResult namingThePeerTimeout(ShutdownResult r) {
        Throwable e = r.error();
        FrameTimeoutException t = e instanceof FrameTimeoutException f ? f
                : e != null && e.getCause() instanceof FrameTimeoutException f ? f : null;
        if (t == null || t.kind() == FrameTimeoutException.Kind.DEADLINE) {
            return r;
        }
        return new ShutdownResult(r.clean(), r.failedStep(), new PeerTimeoutException(config.peerTimeout(), t),
                r.drainedBytes(), r.peerInitiated(), r.peerAnswered(), r.duration());
    }

    /**
     * Closes the connection at once (no RST handshake), stops the background
     * threads and waits for them. Idempotent; never throws.
     */
    @Override
    public void close() {
        stopThreads();
        conn.close();
        joinThreads();
    }

    private void stopThreads() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        lock.lock();
        try {
            stopped = true;
            notFull.signalAll();
            pacerWake.signalAll();
            senderWake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void joinThreads() {
        Thread self = Thread.currentThread();
        boolean interrupted = false;
        for (Thread t : new Thread[] {reader, pacer, sender}) {
            if (t == self) {
                continue;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
            while (t.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
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
        if (interrupted) {
            self.interrupt();
        }
    }

    // ---------------------------------------------------------------- state

    /**
     * The framed connection underneath. Do not read from it; writes bypass heartbeat bookkeeping.
     *
     * @return the framed connection
     */
    public FrameConn frameConn() {
        return conn;
    }

    /**
     * The configuration.
     *
     * @return the configuration
     */
    public HeartbeatConfig config() {
        return config;
    }

    /**
     * True until the connection is closed.
     *
     * @return whether the connection is open
     */
    public boolean isOpen() {
        return conn.isOpen();
    }

    /**
     * HEARTBEAT frames sent so far.
     *
     * @return the number of heartbeats sent
     */
    public long heartbeatsSent() {
        return heartbeatsSent.sum();
    }

    /**
     * HEARTBEAT frames received and dropped so far.
     *
     * @return the number of heartbeats received
     */
    public long heartbeatsReceived() {
        return heartbeatsReceived.sum();
    }

    /**
     * Time since any frame last arrived, on the connection's clock.
     *
     * @return the time since the last frame arrived
     */
    public Duration sinceLastReceived() {
        return Duration.ofNanos(ticker.nanoTime() - lastReceived);
    }

    /** Application threads waiting in {@link #readFrame()} now; for tests. */
    int waitingReaders() {
        lock.lock();
        try {
            return waitingReaders;
        } finally {
            lock.unlock();
        }
    }

    /** How often the pacer looked at the clock so far; for tests, to know it saw a step of a manual clock. */
    long pacerTicks() {
        lock.lock();
        try {
            return pacerTicks;
        } finally {
            lock.unlock();
        }
    }

    /** Time on the receive stall clock now (see the class comment); for tests. */
    Duration receiveStallClock() {
        lock.lock();
        try {
            return Duration.ofNanos(readWaitSince == IDLE ? receiveWaited : ticker.nanoTime() - readWaitSince);
        } finally {
            lock.unlock();
        }
    }

    /** Time on the send stall clock now, kept only with a stall timeout; for tests. */
    Duration sendStallClock() {
        lock.lock();
        try {
            return Duration.ofNanos(sendSince == IDLE ? sendWaited : ticker.nanoTime() - sendSince);
        } finally {
            lock.unlock();
        }
    }

    /**
     * True if every background thread has ended (after shutdown or close).
     *
     * @return whether the background threads have ended
     */
    public boolean threadsEnded() {
        return !reader.isAlive() && !pacer.isAlive() && !sender.isAlive();
    }

    private static void lockInterruptibly(ReentrantLock l) throws InterruptedIOException {
        try {
            l.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the connection's lock");
        }
    }

    /** {@code 10s}, {@code 250ms}: durations as people write them on a command line. */
    static String format(Duration d) {
        long millis = d.toMillis();
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    @Override
    public String toString() {
        return "HeartbeatConn[" + conn + ", sent=" + heartbeatsSent() + ", received=" + heartbeatsReceived() + "]";
    }
}
