package dev.frameconn.heartbeat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.ShutdownResult;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
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
 *       Only payload bytes are progress (see "Stall clocks" below).</li>
 *   <li><b>Heartbeats never queue behind a blocked writer.</b> If an application
 *       write holds the connection, the heartbeat is skipped: that write is
 *       traffic the peer sees, and if it is blocked, the peer's write timeout
 *       is not ours to renew. Nor do application writes queue behind a
 *       blocked heartbeat at this layer: the heartbeat is written without the
 *       write side's lock, so a write behind it waits inside the connection,
 *       where the send stall clock counts it. Timers never wait on I/O.</li>
 *   <li><b>No stray threads.</b> The reader and any short-lived heartbeat or
 *       stall thread end on {@link #shutdown()} and {@link #close()}, which
 *       wait for them; the pacing timer is closed, and no thread starts after.</li>
 *   <li><b>An idle connection costs one thread.</b> One reader at a time
 *       reads; a virtual reader hands the reading on to a fresh thread after
 *       each heartbeat it receives, so that an idle connection keeps one stack
 *       chunk, not two (see {@code ReceiveSide}). Pacing is a timer in the
 *       {@linkplain dev.frameconn.FrameConnConfig#ticker() clock's} one timer
 *       queue, whose single thread serves every connection; a heartbeat is
 *       written by a thread that lives only as long as the write.</li>
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
 * the peer and no payload byte moves; the pacing timer reports a stall when
 * either reaches the stall timeout.
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
 * Time the application does not wait on the peer is not counted. There is no
 * minimum rate: one payload byte per frame is progress, empty frames are not
 * (else a peer trickling them would hold a stream open for ever).
 *
 * <h2>Threads</h2>
 * <pre>
 *   reader:  conn.readFrame() --HEARTBEAT--> drop, resetWriteTimeout; a virtual reader then
 *                                            starts its successor and ends (not once stopping)
 *                             --application--> queue (blocks while full)
 *                             --failure-----> kept, handed to readFrame() after the queue
 *   pacing timer (no thread of its own; fires on the clock's shared timer thread, never blocks):
 *            at the next time a heartbeat or stall could be due: look, under the lock;
 *            heartbeat due and the write side free (tryLock) --> start a heartbeat writer,
 *              or, if one is still under way, tell it to write one more;
 *            stall --> report it, wake waiting readers, start a thread that closes the connection;
 *            re-arm for the next look
 *   heartbeat writer (short-lived, at most one at a time):
 *            tryLock the write side; if no write came meanwhile, unlock and write + flush HEARTBEAT;
 *            again while one more fell due meanwhile; then ends
 * </pre>
 * The classes, one job each: {@code ReceiveSide} (reader and queue),
 * {@code SendSide} (writes and heartbeats), {@code PacerTimer} (the timer),
 * which runs {@code Pacing} and {@code StallClocks} (the decisions,
 * arithmetic over the time passed in), {@code BackgroundThreads} (makes,
 * starts and joins the threads); this class puts them together and shuts
 * them down.
 */
public final class HeartbeatConn implements AutoCloseable {
    /** The HEARTBEAT frame type, 1 &lt;&lt; 24; its payload is empty. */
    public static final int HEARTBEAT = 0x0100_0000;
    /** Type bits 24..27, reserved for this layer. */
    public static final int RESERVED_TYPE_MASK = 0x0F00_0000;
    /** The largest type an application of this layer may use. */
    public static final int MAX_APPLICATION_TYPE = 0x00FF_FFFF;
    static final String HEARTBEAT_HEX = "0x01000000";
    /** How long close waits for each background thread at most: 10 s. */
    private static final long JOIN_MILLIS = 10_000;
    /** Matches no frame type: {@code readFrame(NO_TYPE)} skips nothing. */
    private static final int NO_TYPE = -1;

    private final FrameConn conn;
    private final HeartbeatConfig config;
    /** The one lock of the receive side, the stall clocks, the pacer and the heartbeat bookkeeping; no I/O under it. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Failures failures;
    private final PacerTimer pacer;
    private final ReceiveSide receiving;
    private final SendSide sending;
    private final BackgroundThreads threads;
    // guarded by lock
    private boolean stopping;

    private HeartbeatConn(FrameConn conn, HeartbeatConfig config) {
        this.conn = conn;
        this.config = config;
        this.failures = new Failures(conn, config);
        StallClocks clocks = new StallClocks(config.stallTimeout().toNanos());
        this.pacer = new PacerTimer(this, lock, new Pacing(config.sendInterval().toNanos(), clocks));
        // the first reader is made first, so that a failing factory leaves nothing running; it
        // starts only in wrap(), once receiving is set
        this.threads = new BackgroundThreads(config.threadFactory(), this::readLoop);
        this.receiving = new ReceiveSide(conn, config, failures, lock, clocks, pacer, threads);
        this.sending = new SendSide(conn, config, failures, lock, clocks, pacer, threads);
    }

    /**
     * Puts the heartbeat layer on {@code conn}, which it owns from now on: its
     * idle timeout becomes {@link HeartbeatConfig#peerTimeout()}, the reader
     * starts and the pacing timer is armed. Nobody else may read from {@code conn}.
     *
     * <p>If the thread factory fails for the reader (throws, returns null, or
     * the thread cannot start), {@code conn} is closed before the failure is
     * rethrown: nothing is left running. (Short-lived threads made later fall
     * back to plain virtual threads instead: see
     * {@link HeartbeatConfig#threadFactory()}.)
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
            hb.threads.start();
            hb.pacer.start();
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

    private void readLoop() {
        receiving.readLoop();
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
        return receiving.take(NO_TYPE);
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
        return receiving.take(type);
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
        sending.write(type, payload);
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
        sending.flush();
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

    // ---------------------------------------------------------------- for the parts

    /** When the last write began; for the pacer. */
    long lastWrite() {
        return sending.lastWrite();
    }

    /** The pacer found a heartbeat due at {@code now}. Under {@link #lock}, on the timer thread. */
    void heartbeatDueLocked(long now) {
        sending.heartbeatDueLocked(now);
    }

    /**
     * The pacer found a stall (once per connection): reported, and waiting
     * readers woken to see it, at once; the connection is closed on a
     * short-lived thread, because a close may wait for a writer inside the
     * connection and the timer thread must not block. Under {@link #lock}.
     */
    void stalledLocked(StreamStalledException.Direction s) {
        failures.stalled(s);
        receiving.wakeReadersLocked();
        // a blocked write can only be stopped by closing; either way the stream is in an unknown state
        threads.startShortLived(conn::close);
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
        return failures.namingThePeerTimeout(result);
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
        lock.lock();
        try {
            if (stopping) {
                return;
            }
            stopping = true;
            receiving.stopLocked();
            pacer.stopLocked();
            sending.stopLocked();
        } finally {
            lock.unlock();
        }
    }

    private void joinThreads() {
        threads.join(JOIN_MILLIS);
        receiving.drain();
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
        return sending.heartbeatsSent();
    }

    /**
     * HEARTBEAT frames received and dropped so far.
     *
     * @return the number of heartbeats received
     */
    public long heartbeatsReceived() {
        return receiving.heartbeatsReceived();
    }

    /**
     * Time since any frame last arrived, on the connection's clock.
     *
     * @return the time since the last frame arrived
     */
    public Duration sinceLastReceived() {
        return Duration.ofNanos(conn.config().ticker().nanoTime() - receiving.lastReceived);
    }

    /**
     * True if every background thread has ended (after shutdown or close).
     *
     * @return whether the background threads have ended
     */
    public boolean threadsEnded() {
        return threads.ended();
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
