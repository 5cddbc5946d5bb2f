package dev.frameconn.heartbeat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.ShutdownResult;
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
 *       {@link PeerTimeoutException}. With a {@link HeartbeatConfig#stallTimeout()},
 *       a peer that sends heartbeats but no data to a waiting reader, or takes
 *       none of our data, for that long fails them with
 *       {@link StreamStalledException} instead of being kept alive for ever.</li>
 *   <li><b>Heartbeats never queue behind a blocked writer.</b> If an application
 *       write holds the connection, the heartbeat is skipped: that write is
 *       traffic the peer sees, and if it is blocked, the peer's write timeout
 *       is not ours to renew. Timers never wait on I/O.</li>
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
 * <h2>Threads</h2>
 * <pre>
 *   reader:  conn.readFrame() --HEARTBEAT--> drop, resetWriteTimeout
 *                             --application--> queue (blocks while full)
 *                             --failure-----> kept, handed to readFrame() after the queue
 *   pacer:   sleeps until the next heartbeat or stall could be due (no I/O);
 *            heartbeat due --> wakes the sender; stall --> closes the connection
 *   sender:  on wake-up: tryLock the write side, write HEARTBEAT, unlock
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
    private volatile long appWriteSince = IDLE;

    // everything below is guarded by lock; no I/O is done under it
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition pacerWake = lock.newCondition();
    private final Condition senderWake = lock.newCondition();
    private final ArrayDeque<Frame> queue;
    private IOException readerFailure;
    private int waitingReaders;
    private long readWaitSince = IDLE;
    private boolean heartbeatDue;
    private boolean stopped;

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

    /** True if {@code type} leaves bits 24..31 (heartbeat and framing layers) clear. */
    public static boolean isApplicationType(int type) {
        return (type & (RESERVED_TYPE_MASK | FrameHeader.RESERVED_TYPE_MASK)) == 0;
    }

    // ---------------------------------------------------------------- reading

    /**
     * The next application frame, in arrival order; blocks until one is there.
     * The caller owns the frame and closes it. After the queued frames, the
     * failure that ended the background reader is thrown, again on every call.
     *
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
        lockInterruptibly(lock);
        try {
            boolean counted = false;
            try {
                while (true) {
                    Frame f = queue.poll();
                    if (f != null) {
                        notFull.signal();
                        return f;
                    }
                    StreamStalledException.Direction s = stalled;
                    if (s != null) {
                        throw stalledException(s, readerFailure);
                    }
                    if (readerFailure != null) {
                        throw readerFailure;
                    }
                    if (!counted) {
                        counted = true;
                        if (waitingReaders++ == 0) {
                            readWaitSince = ticker.nanoTime();
                        }
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
            if (waitingReaders > 0) {
                readWaitSince = ticker.nanoTime(); // data progress for whoever waits
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
     * @throws IllegalArgumentException if {@code type} uses bits 24..31 (nothing is written)
     * @throws PeerTimeoutException if the peer accepted nothing and sent no
     *         heartbeat for the peer timeout
     * @throws StreamStalledException if the peer, though alive, took none of
     *         this frame for the stall timeout
     * @throws IOException any other failure of the connection's writes
     */
    public void writeFrame(int type, ByteBuffer payload) throws IOException {
        if (!isApplicationType(type)) {
            throw failReservedType(type);
        }
        Objects.requireNonNull(payload, "payload");
        lockInterruptibly(writeLock);
        try {
            // measured under the lock: waiting behind another writer is not a stall of ours
            appWriteSince = ticker.nanoTime();
            try {
                conn.writeFrame(type, payload);
            } catch (IOException e) {
                throw translate(e);
            }
            lastWrite = ticker.nanoTime();
        } finally {
            appWriteSince = IDLE;
            writeLock.unlock();
        }
    }

    /**
     * Waits until every frame written before has been handed to the operating
     * system; see {@link FrameConn#flush()}.
     *
     * @throws PeerTimeoutException if the peer accepted nothing and sent no
     *         heartbeat for the peer timeout
     * @throws StreamStalledException if the connection was closed for a stall
     * @throws IOException any other failure of the connection's writes
     */
    public void flush() throws IOException {
        try {
            conn.flush();
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /** Writes a frame whose payload is the whole array; see {@link #writeFrame(int, ByteBuffer)}. */
    public void writeFrame(int type, byte[] payload) throws IOException {
        writeFrame(type, ByteBuffer.wrap(payload));
    }

    /** Writes a frame with an empty payload; see {@link #writeFrame(int, ByteBuffer)}. */
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
        if (!writeLock.tryLock()) {
            return true; // a write is in progress: that is traffic, and waiting behind it helps nobody
        }
        try {
            long start = ticker.nanoTime();
            if (start - lastWrite < intervalNanos) {
                return true; // something was written since the pacer looked
            }
            conn.writeEmptyFrame(HEARTBEAT);
            // the start, not the end: the peer may have the frame before we get to read the clock again
            lastWrite = start;
            heartbeatsSent.increment();
            metrics.heartbeatSent();
        } catch (IOException e) {
            // the write side is broken or shutting down: the application's next write says why
            return false;
        } finally {
            writeLock.unlock();
        }
        try {
            // the core may stage a small frame behind a write under way; a heartbeat must leave now.
            // Outside our lock: application writes need not wait for this.
            conn.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- timers

    private void pacerLoop() {
        lock.lock();
        try {
            while (!stopped) {
                long wait = tickLocked(ticker.nanoTime());
                if (manualClock) {
                    wait = Math.min(wait, MANUAL_POLL_NANOS); // a manual clock jumps without telling
                }
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
        long next = lastWrite + intervalNanos - now;
        if (next <= 0) {
            heartbeatDue = true;
            senderWake.signal();
            next = intervalNanos;
        }
        if (stallNanos > 0 && stalled == null) {
            StreamStalledException.Direction s = null;
            long w = appWriteSince;
            long r = readWaitSince;
            // nothing waiting: a stall can begin no earlier than now, so expire no earlier than now + stall
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
                // a blocked write can only be stopped by closing; either way the stream is in an unknown state
                conn.close();
                notEmpty.signalAll();
            } else {
                next = Math.min(next, Math.min(wLeft, rLeft));
            }
        }
        return next;
    }

    private IOException translate(IOException e) {
        StreamStalledException.Direction s = stalled;
        if (s != null) {
            return stalledException(s, e);
        }
        if (e instanceof FrameTimeoutException t && t.kind() != FrameTimeoutException.Kind.DEADLINE) {
            if (peerTimeoutCounted.compareAndSet(false, true)) {
                metrics.peerTimedOut();
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
     * queued are released. Never throws for peer or network failures.
     */
    public ShutdownResult shutdown() {
        stopThreads();
        ShutdownResult result = conn.shutdown(config.peerTimeout());
        joinThreads();
        return result;
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

    /** The framed connection underneath. Do not read from it; writes bypass heartbeat bookkeeping. */
    public FrameConn frameConn() {
        return conn;
    }

    /** The configuration. */
    public HeartbeatConfig config() {
        return config;
    }

    /** True until the connection is closed. */
    public boolean isOpen() {
        return conn.isOpen();
    }

    /** HEARTBEAT frames sent so far. */
    public long heartbeatsSent() {
        return heartbeatsSent.sum();
    }

    /** HEARTBEAT frames received and dropped so far. */
    public long heartbeatsReceived() {
        return heartbeatsReceived.sum();
    }

    /** Time since any frame last arrived, on the connection's clock. */
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

    /** True if every background thread has ended (after shutdown or close). */
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
