package dev.frameconn;

import dev.frameconn.ConnectionShutdownException.Initiator;
import dev.frameconn.buffer.BufferPool;
import dev.frameconn.internal.Deadlines;
import dev.frameconn.internal.SocketTransport;
import dev.frameconn.internal.jfr.FrameConnEvents;
import dev.frameconn.metrics.FrameConnMetrics;
import dev.frameconn.metrics.ShutdownStep;
import dev.frameconn.transport.Transport;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A framed connection: typed frames over a reliable byte stream (TCP or a Unix
 * domain socket), wire-compatible with zrepl's {@code frameconn}. The layout is
 * drawn in {@link FrameHeader}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Reads</b> are serialised: concurrent {@link #readFrame()} callers get
 *       whole frames, one each. A frame is handed out as soon as its last byte
 *       arrived; the reader never waits for bytes of a later frame (unlike the Go
 *       original, no empty frame is needed to push one through). Empty frames are
 *       delivered. The caller owns each {@link Frame} and closes it.</li>
 *   <li><b>Writes</b>: {@link #writeFrame(int, ByteBuffer)} sends header and
 *       payload as one unit, so frames of concurrent writers never interleave,
 *       and frames leave in the order they were accepted. On an idle connection
 *       a returning call has handed its frame to the operating system; while a
 *       write is under way a small frame may be staged for the next gathering
 *       write instead, and {@link #flush()} waits for it (the method's Javadoc
 *       says exactly what a return guarantees and where errors surface).
 *       {@link #writeBatch(FrameBatch)} sends many frames contiguously.</li>
 *   <li><b>Bounds</b>: a payload length above {@link FrameConnConfig#maxPayloadLength()}
 *       fails the read before anything is allocated for it.</li>
 *   <li><b>Timeouts</b>: a read or write that makes no progress for the idle
 *       timeout fails with {@link FrameTimeoutException}; so does any operation
 *       when an absolute deadline passes. A timeout may leave a frame half
 *       transferred, so it closes the connection abortively: afterwards every
 *       read and write fails, saying why.</li>
 *   <li><b>Failures</b> from the peer are {@link FrameConnException} subtypes.
 *       After a read-side failure (truncated, oversized or reserved frame,
 *       reset, I/O error) further reads throw {@link ConnectionBrokenException};
 *       likewise for the write side. A clean end of stream is not a failure:
 *       reads keep throwing {@link EndOfStreamException} and writes still work.</li>
 *   <li><b>Shutdown</b> ({@link #shutdown(Duration)}) is the RST handshake of
 *       the original: no frame the peer has already been sent is destroyed by an
 *       early TCP reset. {@link #close()} closes at once.</li>
 * </ul>
 *
 * <p>All blocking methods work on platform and virtual threads alike (locks are
 * {@link ReentrantLock}s). Interrupting a thread blocked in I/O closes the
 * connection, as for any {@link java.nio.channels.InterruptibleChannel}.
 *
 * <h2>States</h2>
 * <pre>
 *   OPEN --shutdown()--------------------> SHUTTING_DOWN(local) --> CLOSED
 *   OPEN --RST read------> SHUTTING_DOWN(peer) --shutdown()-------> CLOSED
 *   any  --close() or timeout-------------------------------------> CLOSED
 * </pre>
 * In SHUTTING_DOWN new reads and writes fail at once with
 * {@link ConnectionShutdownException}; calls already inside finish first.
 */
public final class FrameConn implements AutoCloseable {
    /** Payloads up to this size are copied and may be gathered with other frames. */
    static final int COPY_THRESHOLD = Outbound.COPY_THRESHOLD;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Transport wire;
    private final FrameConnConfig config;
    private final BufferPool pool;
    private final FrameConnMetrics metrics;
    private final Deadlines deadlines;
    private final int maxPayloadLength;
    private final int directReadThreshold;
    private final boolean reuseFrames;

    private final ReentrantLock readLock = new ReentrantLock();
    private final java.util.concurrent.atomic.AtomicReference<Frame> spareFrame =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final Outbound outbound;

    // read side, guarded by readLock; readBuffer holds unread bytes between position and limit
    private ByteBuffer readBuffer;
    private volatile IOException readFailure; // volatile: shutdown reads it before taking the read lock
    private boolean endOfStream;

    private volatile Initiator shutdownBy;
    private volatile ShutdownReason peerReason;
    private volatile boolean peerRstSeen;
    private volatile boolean closed;
    private volatile int timeoutReason;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CountDownLatch shutdownDone = new CountDownLatch(1);
    private volatile ShutdownResult shutdownResult;

    private FrameConn(Transport wire, FrameConnConfig config) {
        this.wire = wire;
        this.config = config;
        this.pool = config.bufferPool();
        this.metrics = config.metrics();
        this.maxPayloadLength = config.maxPayloadLength();
        this.directReadThreshold = config.readBufferSize() / 2;
        this.reuseFrames = config.reuseFrames();
        this.deadlines = new Deadlines(config.ticker(), config.idleTimeout().toNanos(), this::onTimeout);
        this.outbound = new Outbound(this, wire, deadlines, pool, metrics);
        deadlines.start();
    }

    /**
     * Connects with the default configuration; see {@link #connect(SocketAddress, FrameConnConfig)}.
     *
     * @param address a TCP or Unix domain socket address
     * @return the connection
     * @throws IOException as {@link #connect(SocketAddress, FrameConnConfig)}
     */
    public static FrameConn connect(SocketAddress address) throws IOException {
        return connect(address, FrameConnConfig.defaults());
    }

    /**
     * Connects to a TCP ({@link InetSocketAddress}) or Unix domain socket
     * ({@link UnixDomainSocketAddress}) address. TCP waits at most
     * {@link FrameConnConfig#connectTimeout()}, switches TCP_NODELAY on and
     * sets {@link FrameConnConfig#socketBufferSize()} if it is not 0.
     *
     * @param address a TCP ({@link java.net.InetSocketAddress}) or Unix domain socket address
     * @param config the connection's configuration
     * @return the connection
     * @throws UnknownHostException if a TCP host name does not resolve
     * @throws IOException if the connection is refused or times out
     * @throws IllegalArgumentException for any other kind of address
     */
    public static FrameConn connect(SocketAddress address, FrameConnConfig config) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(config, "config");
        SocketChannel channel;
        if (address instanceof UnixDomainSocketAddress) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(address);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel, e);
                throw e;
            }
        } else if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                throw new UnknownHostException("cannot resolve host=" + inet.getHostString());
            }
            channel = SocketChannel.open();
            try {
                config.applySocketBuffers(channel);
                channel.socket().connect(inet, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel, e);
                throw e;
            }
        } else {
            throw new IllegalArgumentException("address=" + address + " is neither TCP nor a Unix domain socket");
        }
        return wrap(channel, config);
    }

    /**
     * Takes over a connected {@link SocketChannel} (TCP or Unix domain). The
     * connection owns the channel from now on and closes it, also if this
     * method fails.
     *
     * @param channel a connected channel
     * @param config the connection's configuration
     * @return the connection
     * @throws IOException if the channel cannot be set up (blocking mode, TCP_NODELAY);
     *         it is then closed
     */
    public static FrameConn wrap(SocketChannel channel, FrameConnConfig config) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(config, "config");
        try {
            return new FrameConn(new SocketTransport(channel), config);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    /**
     * Runs a framed connection over any {@link Transport}: TLS, an in-memory
     * pipe, a custom stream. The connection owns the transport from now on.
     *
     * @param transport the byte stream to run over
     * @param config the connection's configuration
     * @return the connection
     */
    public static FrameConn over(Transport transport, FrameConnConfig config) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(config, "config");
        return new FrameConn(transport, config);
    }

    private static void closeQuietly(SocketChannel channel, Exception cause) {
        try {
            channel.close();
        } catch (IOException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads the next frame. Blocks until a whole frame has arrived; the caller
     * owns the returned frame and must close it.
     *
     * @return the frame, owned by the caller
     * @throws ConnectionShutdownException if a shutdown began (here or at the
     *         peer, whose RST this read may have just received)
     * @throws EndOfStreamException at a clean end of stream
     * @throws TruncatedFrameException if the stream ended inside a frame
     * @throws FrameTooLargeException if the announced length exceeds the maximum
     * @throws FrameProtocolException for a reserved frame type other than RST
     * @throws FrameTimeoutException on idle timeout or deadline
     * @throws ConnectionResetException if the peer reset the connection
     * @throws ConnectionBrokenException if an earlier read failed
     * @throws InterruptedIOException if interrupted while waiting for another reader
     */
    public Frame readFrame() throws IOException {
        if (shutdownBy != null) {
            throw shuttingDown();
        }
        lockInterruptibly(readLock);
        try {
            if (shutdownBy != null) {
                throw shuttingDown();
            }
            if (readFailure != null) {
                throw new ConnectionBrokenException("read", readFailure);
            }
            if (endOfStream) {
                throw new EndOfStreamException();
            }
            try {
                return readFrameLocked();
            } catch (EndOfStreamException e) {
                endOfStream = true;
                throw e;
            } catch (ConnectionShutdownException e) {
                throw e;
            } catch (IOException e) {
                readFailure = e;
                FrameConnEvents.readFailed(wire.remoteAddress(), e);
                throw e;
            }
        } finally {
            boolean wasClosed = closed;
            if (wasClosed) {
                releaseReadBuffer();
            }
            readLock.unlock();
            if (!wasClosed && closed && readLock.tryLock()) {
                // close() came between our look and our unlock, and found the lock taken
                try {
                    releaseReadBuffer();
                } finally {
                    readLock.unlock();
                }
            }
        }
    }

    private Frame readFrameLocked() throws IOException {
        ByteBuffer buf = readBuffer();
        if (buf.remaining() < FrameHeader.LENGTH && !fill(buf, FrameHeader.LENGTH)) {
            if (!buf.hasRemaining()) {
                throw new EndOfStreamException();
            }
            throw new TruncatedFrameException("header", buf.remaining(), FrameHeader.LENGTH);
        }
        int at = buf.position();
        int type = FrameHeader.type(buf, at);
        long length = FrameHeader.payloadLength(buf, at);
        buf.position(at + FrameHeader.LENGTH);
        if (!FrameHeader.isApplicationType(type)) {
            throw reservedTypeReceived(type, length);
        }
        if (length > maxPayloadLength) {
            throw new FrameTooLargeException(type, length, maxPayloadLength);
        }
        int len = (int) length;
        ByteBuffer payload = pool.acquire(len);
        boolean delivered = false;
        try {
            readPayload(buf, payload);
            delivered = true;
        } finally {
            if (!delivered) {
                pool.release(payload);
            }
        }
        metrics.frameRead(type, len);
        outbound.noteRead();
        if (!reuseFrames) {
            return new Frame(pool, null).fill(type, payload);
        }
        Frame frame = spareFrame.getAndSet(null);
        if (frame == null) {
            frame = new Frame(pool, spareFrame);
        }
        return frame.fill(type, payload);
    }

    /** Fills {@code payload} (position 0, limit = length) and flips it for the reader. */
    private void readPayload(ByteBuffer buf, ByteBuffer payload) throws IOException {
        int len = payload.limit();
        int buffered = Math.min(buf.remaining(), len);
        if (buffered > 0) {
            payload.put(0, buf, buf.position(), buffered);
            buf.position(buf.position() + buffered);
            payload.position(buffered);
        }
        // buf is empty now whenever payload still misses bytes
        while (payload.hasRemaining()) {
            int missing = payload.remaining();
            if (missing >= directReadThreshold) {
                // large remainder: straight into the payload, and whatever follows it (the next
                // header, say) into the read buffer, in one call that never waits for more
                buf.clear();
                long n = readSome(payload, buf);
                buf.flip();
                if (n < 0) {
                    throw new TruncatedFrameException("payload", payload.position(), len);
                }
            } else {
                buf.clear();
                int n = readSome(buf);
                buf.flip();
                if (n < 0) {
                    throw new TruncatedFrameException("payload", payload.position(), len);
                }
                int take = Math.min(buf.remaining(), missing);
                payload.put(payload.position(), buf, buf.position(), take);
                payload.position(payload.position() + take);
                buf.position(buf.position() + take);
            }
        }
        payload.flip();
    }

    private IOException reservedTypeReceived(int type, long length) throws IOException {
        if (type != FrameHeader.RST) {
            return new FrameProtocolException("received type=" + FrameHeader.typeToString(type)
                    + " length=" + length + ": bits 28..31 are reserved and only RST="
                    + FrameHeader.typeToString(FrameHeader.RST) + " is defined");
        }
        // a reason, if any, is in the first bytes; the rest is skipped without buffering it
        if (length > maxPayloadLength) {
            return new FrameTooLargeException(type, length, maxPayloadLength);
        }
        int head = (int) Math.min(length, ShutdownReason.MAX_PAYLOAD);
        ByteBuffer buf = readBuffer();
        if (!fill(buf, head)) {
            throw new TruncatedFrameException("payload", buf.remaining(), length);
        }
        peerReason = ShutdownReason.decode(buf, buf.position(), head);
        buf.position(buf.position() + head);
        skip(length - head, head, length);
        peerRstSeen = true;
        if (shutdownBy == null) {
            shutdownBy = Initiator.PEER;
        }
        return shuttingDown();
    }

    /** Discards {@code length} bytes, the rest of a payload of {@code total} of which {@code done} were read. */
    private void skip(long length, long done, long total) throws IOException {
        ByteBuffer buf = readBuffer();
        long left = length;
        while (left > 0) {
            if (!buf.hasRemaining()) {
                buf.clear();
                int n = readSome(buf);
                buf.flip();
                if (n < 0) {
                    throw new TruncatedFrameException("payload", done + length - left, total);
                }
            }
            int take = (int) Math.min(left, buf.remaining());
            buf.position(buf.position() + take);
            left -= take;
        }
    }

    /** Reads until {@code buf} holds {@code needed} unread bytes; false at end of stream. */
    private boolean fill(ByteBuffer buf, int needed) throws IOException {
        while (buf.remaining() < needed) {
            buf.compact();
            int n;
            try {
                n = readSome(buf);
            } finally {
                buf.flip();
            }
            if (n < 0) {
                return false;
            }
        }
        return true;
    }

    /** One read call under the idle timeout: at least one byte, or -1. */
    private int readSome(ByteBuffer dst) throws IOException {
        deadlines.beginRead();
        try {
            int n;
            do {
                n = wire.read(dst);
            } while (n == 0);
            return n;
        } catch (IOException e) {
            throw translate(e);
        } finally {
            deadlines.endRead();
        }
    }

    /** One scattering read call under the idle timeout: at least one byte, or -1. */
    private long readSome(ByteBuffer first, ByteBuffer second) throws IOException {
        deadlines.beginRead();
        try {
            long n;
            do {
                n = wire.read(first, second);
            } while (n == 0);
            return n;
        } catch (IOException e) {
            throw translate(e);
        } finally {
            deadlines.endRead();
        }
    }

    private ByteBuffer readBuffer() {
        ByteBuffer buf = readBuffer;
        if (buf == null) {
            buf = pool.acquire(config.readBufferSize());
            buf.clear().limit(0);
            readBuffer = buf;
        }
        return buf;
    }

    private void releaseReadBuffer() {
        ByteBuffer buf = readBuffer;
        if (buf != null) {
            readBuffer = null;
            pool.release(buf);
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes one frame: the bytes between {@code payload}'s position and limit.
     * The buffer's position, limit and content are left unchanged, and the
     * caller may reuse it as soon as this returns.
     *
     * <p><b>What a return guarantees.</b> The frame has been accepted, whole and
     * in order: frames of concurrent writers never interleave, and a later
     * frame never overtakes it. When the connection is idle, the frame has been
     * handed to the operating system before this returns. While the connection
     * is busy writing (another write under way, or this thread writing back to
     * back without reading in between, which hands the writing to a background
     * virtual thread for as long as frames keep coming, when the transport's
     * writes are slow enough for that to pay), a small frame (up to 8 KiB) may instead be copied
     * into the connection's staging buffer, to leave with the next gathering
     * write; this is what lets small frames reach millions per second. {@link #flush()} waits until
     * every frame accepted so far has been handed to the operating system.
     *
     * <p><b>Where errors surface.</b> A failure of the write that carries this
     * frame is thrown here if this call did that write; if the frame was staged,
     * the failure surfaces as {@link ConnectionBrokenException} (with the cause)
     * on the next {@code writeFrame}, {@link #flush()}, or {@link #shutdown}.
     * After a failure the write side is broken.
     *
     * @param type the frame type, an application type
     * @param payload the bytes between its position and limit are sent; left unchanged
     * @throws IllegalArgumentException if {@code type} has a reserved bit set
     *         (nothing is written)
     * @throws ConnectionShutdownException if a shutdown began
     * @throws FrameTimeoutException if the peer accepted no data for the idle timeout
     * @throws ConnectionResetException if the peer reset the connection
     * @throws ConnectionBrokenException if an earlier write failed
     * @throws InterruptedIOException if interrupted while waiting for another writer
     */
    public void writeFrame(int type, ByteBuffer payload) throws IOException {
        if (!FrameHeader.isApplicationType(type)) {
            throw failReservedType(type);
        }
        Objects.requireNonNull(payload, "payload");
        if (shutdownBy != null) {
            throw shuttingDown();
        }
        outbound.write(type, payload);
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
        writeFrame(type, EMPTY);
    }

    /**
     * Writes every frame of {@code batch}, in order and contiguous (no other
     * writer's frame comes between them), in few system calls (small frames
     * are copied together up to 64 KiB, large payloads gathered behind them
     * up to 1 MiB per call), and returns once all of them have been handed to the
     * operating system. The batch is cleared on success. Payload buffers are
     * left unchanged.
     *
     * @param batch the frames to write
     * @throws ConnectionShutdownException if a shutdown began
     * @throws FrameTimeoutException if the peer accepted no data for the idle timeout
     * @throws ConnectionBrokenException if an earlier write failed
     */
    public void writeBatch(FrameBatch batch) throws IOException {
        Objects.requireNonNull(batch, "batch");
        if (shutdownBy != null) {
            throw shuttingDown();
        }
        if (!batch.isEmpty()) {
            outbound.writeBatch(batch);
        }
    }

    /**
     * Waits until every frame accepted by {@link #writeFrame} before this call
     * has been handed to the operating system.
     *
     * @throws ConnectionBrokenException if a staged frame could not be written
     */
    public void flush() throws IOException {
        outbound.flush();
    }

    private static IllegalArgumentException failReservedType(int type) {
        return new IllegalArgumentException("type=" + FrameHeader.typeToString(type)
                + " uses reserved bits 28..31; application types are 0x00000000..0x0fffffff");
    }

    // ---------------------------------------------------------------- timeouts

    /**
     * Renews the write idle timeout, as if the write in progress had just made
     * progress. The heartbeat layer calls it when the peer proves alive while
     * our writes are blocked. Does nothing if no write is in progress.
     */
    public void resetWriteTimeout() {
        deadlines.renewWrite();
    }

    /**
     * Sets the idle timeout of reads and writes; {@link Duration#ZERO} switches it off.
     *
     * @param timeout the new idle timeout, zero or positive
     */
    public void setIdleTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout=" + timeout + " must not be negative");
        }
        deadlines.setIdleTimeout(timeout.toNanos());
    }

    /**
     * The idle timeout in force; zero when switched off.
     *
     * @return the idle timeout
     */
    public Duration idleTimeout() {
        return Duration.ofNanos(deadlines.idleTimeoutNanos());
    }

    /**
     * Sets an absolute deadline {@code fromNow} from now, on the configured
     * clock. When it passes, whatever is in progress fails with
     * {@link FrameTimeoutException} ({@link FrameTimeoutException.Kind#DEADLINE})
     * and the connection is closed abortively, busy or idle: it bounds the life
     * of the connection, as shutdown uses it.
     *
     * @param fromNow time from now until the deadline
     */
    public void setDeadline(Duration fromNow) {
        Objects.requireNonNull(fromNow, "fromNow");
        deadlines.setDeadline(deadlines.now() + fromNow.toNanos());
    }

    /** Removes the absolute deadline, if it has not passed yet. */
    public void clearDeadline() {
        deadlines.clearDeadline();
    }

    private void onTimeout(int reason) {
        if (timeoutReason == 0) {
            timeoutReason = reason;
            FrameConnEvents.timedOut(wire.remoteAddress(), reason, shutdownStarted.get(), deadlines.idleTimeoutNanos());
        }
        // a frame may be half transferred: the stream is not trustworthy any more
        wire.abort();
    }

    IOException translate(IOException e) {
        int reason = timeoutReason;
        if (reason != 0) {
            // the timeout that fired, not the one in force now: shutdown has switched it off since
            Duration fired = Duration.ofNanos(deadlines.expiredIdleNanos());
            return switch (reason) {
                case Deadlines.READ_IDLE -> new FrameTimeoutException(
                        FrameTimeoutException.Kind.READ_IDLE, fired, e);
                case Deadlines.WRITE_IDLE -> new FrameTimeoutException(
                        FrameTimeoutException.Kind.WRITE_IDLE, fired, e);
                default -> new FrameTimeoutException(FrameTimeoutException.Kind.DEADLINE, Duration.ZERO, e);
            };
        }
        if (e instanceof FrameConnException || e instanceof ClosedByInterruptException) {
            return e;
        }
        if (e instanceof ClosedChannelException) {
            Initiator by = shutdownBy;
            return new ConnectionShutdownException(by == null ? Initiator.LOCAL : by, peerReason, e);
        }
        return isReset(e) ? new ConnectionResetException(e) : e;
    }

    private static boolean isReset(IOException e) {
        String message = e.getMessage();
        return message != null && (message.contains("Connection reset") || message.contains("Broken pipe"));
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * {@link #shutdown(Duration)} with {@link FrameConnConfig#shutdownTimeout()}.
     *
     * @return how the shutdown went
     */
    public ShutdownResult shutdown() {
        return shutdown(config.shutdownTimeout(), null);
    }

    /**
     * {@link #shutdown(Duration, ShutdownReason)} without a reason: an empty RST, as zrepl sends.
     *
     * @param timeout bound on the whole shutdown
     * @return how the shutdown went
     */
    public ShutdownResult shutdown(Duration timeout) {
        return shutdown(timeout, null);
    }

    /**
     * Shuts the connection down in the peer-friendly way, then closes it.
     *
     * <p>Closing while the peer's data is still arriving would make our kernel
     * answer with a TCP reset, which can overtake and destroy the data we sent
     * last before the peer's application read it. So, as in the original:
     * <ol>
     *   <li>new reads and writes fail with {@link ConnectionShutdownException};
     *       calls already inside finish first;</li>
     *   <li>idle timeouts go off and the deadline {@code now + timeout} comes on,
     *       so that nothing below, nor any call in progress, outlives it;</li>
     *   <li>under the write lock: send RST, then half-close (TCP: FIN, after all
     *       data written before);</li>
     *   <li>under the read lock: discard what arrives until the peer's end of
     *       stream (it read our RST and shut down too), the deadline, or
     *       {@link FrameConnConfig#drainLimit()} bytes;</li>
     *   <li>close. A reset reported by this close is not an error.</li>
     * </ol>
     * A step that fails closes abortively and is counted under its name in the
     * metrics. If a protocol violation or an oversized frame broke the read
     * side, the stream is not trustworthy: RST and FIN still go out, but the
     * drain is skipped and the close is abortive (counted under {@code drain}).
     * This method never throws for peer or network failures; it returns how it
     * went. It is safe to call more than once and from several threads: later
     * calls wait for the first and return its result.
     *
     * @param reason sent in the RST's payload, or null for an empty RST; when
     *        null and the read side broke by a protocol violation, the matching
     *        reason is sent
     * @param timeout bound on the whole shutdown, zero or positive
     * @return how the shutdown went
     * @throws IllegalArgumentException if timeout is negative
     */
    public ShutdownResult shutdown(Duration timeout, ShutdownReason reason) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout=" + timeout + " must not be negative");
        }
        if (!shutdownStarted.compareAndSet(false, true)) {
            awaitShutdown();
            return shutdownResult;
        }
        boolean peerFirst = shutdownBy == Initiator.PEER;
        if (shutdownBy == null) {
            shutdownBy = Initiator.LOCAL;
        }
        Object recording = FrameConnEvents.shutdownBegin();
        long start = deadlines.now();
        ShutdownResult result;
        try {
            result = shutdownSteps(start, timeout, reason, peerFirst);
        } finally {
            closed = true;
            deadlines.stop();
            releaseBuffersIfIdle();
        }
        metrics.shutdownCompleted(deadlines.now() - start);
        FrameConnEvents.shutdownEnd(recording, wire.remoteAddress(), reason, peerReason, result);
        shutdownResult = result;
        shutdownDone.countDown();
        return result;
    }

    private ShutdownResult shutdownSteps(long start, Duration timeout, ShutdownReason reason, boolean peerFirst) {
        IOException brokenBy = readFailure;
        boolean untrustworthy = brokenBy instanceof FrameProtocolException || brokenBy instanceof FrameTooLargeException;
        if (reason == null && untrustworthy) {
            reason = ShutdownReason.of(brokenBy instanceof FrameTooLargeException
                    ? ShutdownReason.FRAME_TOO_LARGE : ShutdownReason.PROTOCOL_ERROR, brokenBy.getMessage());
        }
        deadlines.setIdleTimeout(0);                      // disable_timeouts
        deadlines.setDeadline(start + timeout.toNanos()); // set_deadline
        try {
            // after everything staged; waits for a writer inside, which the deadline bounds
            outbound.writeFinal(FrameHeader.RST, reason);
        } catch (IOException e) {
            return hardClose(ShutdownStep.WRITE_FRAME, e, 0, peerFirst, start);
        }
        try {
            wire.shutdownOutput();
        } catch (IOException e) {
            return hardClose(ShutdownStep.CLOSE_WRITE, translate(e), 0, peerFirst, start);
        }
        if (untrustworthy) {
            return hardClose(ShutdownStep.DRAIN, new ConnectionBrokenException("read", brokenBy), 0, peerFirst,
                    start);
        }
        readLock.lock();
        try {
            return drainAndClose(peerFirst, start);
        } finally {
            releaseReadBuffer();
            readLock.unlock();
        }
    }

    private ShutdownResult drainAndClose(boolean peerFirst, long start) {
        long drainStart = deadlines.now();
        long drained = 0;
        IOException drainError = null;
        long limit = config.drainLimit();
        ByteBuffer buf = readBuffer();
        // frame boundaries can be followed only if the read side is intact (at a boundary)
        RstScanner scanner = readFailure == null && !endOfStream ? new RstScanner() : null;
        try {
            drained += buf.remaining(); // read ahead earlier, discarded now
            if (scanner != null) {
                scanner.scan(buf, buf.position(), buf.limit());
            }
            while (true) {
                buf.clear();
                int n = readSome(buf);
                if (n < 0) {
                    break;
                }
                if (scanner != null) {
                    scanner.scan(buf, 0, n);
                }
                drained += n;
                if (drained > limit) {
                    drainError = new IOException("frameconn: shutdown drain stopped at drainLimit=" + limit
                            + " bytes; the peer kept sending");
                    break;
                }
            }
        } catch (IOException e) {
            drainError = e;
        } finally {
            buf.clear().limit(0);
        }
        metrics.shutdownDrained(deadlines.now() - drainStart, drained);
        if (scanner != null && scanner.sawRst()) {
            peerRstSeen = true;
        }
        if (drainError != null) {
            return hardClose(ShutdownStep.DRAIN, drainError, drained, peerFirst, start);
        }
        try {
            wire.close();
        } catch (IOException e) {
            if (!isReset(e)) {
                metrics.shutdownCloseError(ShutdownStep.CLOSE);
                return new ShutdownResult(false, ShutdownStep.CLOSE, e, drained, peerFirst, peerRstSeen,
                        since(start));
            }
        }
        return new ShutdownResult(true, null, null, drained, peerFirst, peerRstSeen, since(start));
    }

    private ShutdownResult hardClose(ShutdownStep step, Exception error, long drained, boolean peerFirst,
            long start) {
        metrics.shutdownHardClose(step);
        wire.abort();
        return new ShutdownResult(false, step, error, drained, peerFirst, peerRstSeen, since(start));
    }

    private Duration since(long start) {
        return Duration.ofNanos(deadlines.now() - start);
    }

    private void awaitShutdown() {
        boolean interrupted = false;
        while (true) {
            try {
                shutdownDone.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes the connection at once, without the RST handshake: blocked reads
     * and writes fail with {@link ConnectionShutdownException}. If a
     * {@link #shutdown} is in progress, it is cut short (abortive close).
     * Idempotent; never throws.
     */
    @Override
    public void close() {
        if (shutdownStarted.compareAndSet(false, true)) {
            if (shutdownBy == null) {
                shutdownBy = Initiator.LOCAL;
            }
            closed = true;
            deadlines.stop();
            try {
                wire.close();
            } catch (IOException ignored) {
                // nothing useful to do: the descriptor is released either way
            }
            releaseBuffersIfIdle();
            shutdownResult = new ShutdownResult(false, null, null, 0, false, peerRstSeen, Duration.ZERO);
            shutdownDone.countDown();
        } else if (!closed) {
            wire.abort();
        }
    }

    /**
     * Gives the I/O buffers back once closed. A reader still inside holds the
     * read lock and gives its buffer back itself on the way out, as it sees
     * {@code closed} (set before this is called); the write side waits briefly
     * for a writer inside, whose I/O fails at once on the closed transport.
     */
    private void releaseBuffersIfIdle() {
        if (readLock.tryLock()) {
            try {
                releaseReadBuffer();
            } finally {
                readLock.unlock();
            }
        }
        outbound.close();
    }

    // ---------------------------------------------------------------- state

    /**
     * True until the connection is closed (by shutdown, close or a timeout).
     *
     * @return whether the connection is open
     */
    public boolean isOpen() {
        return !closed && wire.isOpen();
    }

    /**
     * The reason the peer gave in its RST, once one arrived with a reason.
     *
     * @return the peer's reason, or empty
     */
    public java.util.Optional<ShutdownReason> peerShutdownReason() {
        return java.util.Optional.ofNullable(peerReason);
    }

    /**
     * True once a shutdown began, here or at the peer.
     *
     * @return whether a shutdown began
     */
    public boolean isShuttingDown() {
        return shutdownBy != null;
    }

    /**
     * The local address.
     *
     * @return the local address
     */
    public SocketAddress localAddress() {
        return wire.localAddress();
    }

    /**
     * The peer's address.
     *
     * @return the peer's address
     */
    public SocketAddress remoteAddress() {
        return wire.remoteAddress();
    }

    /**
     * The configuration this connection was made with.
     *
     * @return the configuration
     */
    public FrameConnConfig config() {
        return config;
    }

    ConnectionShutdownException shuttingDown() {
        Initiator by = shutdownBy;
        return new ConnectionShutdownException(by == null ? Initiator.LOCAL : by, peerReason);
    }

    private static void lockInterruptibly(ReentrantLock lock) throws InterruptedIOException {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the connection's lock");
        }
    }

    @Override
    public String toString() {
        return "FrameConn[" + localAddress() + " -> " + remoteAddress()
                + (closed ? ", closed" : shutdownBy != null ? ", shutting down" : "") + "]";
    }
}
