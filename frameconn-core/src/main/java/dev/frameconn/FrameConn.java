package dev.frameconn;

import dev.frameconn.internal.Deadlines;
import dev.frameconn.internal.SocketTransport;
import dev.frameconn.internal.Sockets;
import dev.frameconn.transport.Transport;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A framed connection: typed frames over a reliable byte stream (TCP or a Unix domain socket),
 * wire-compatible with zrepl's {@code frameconn}. The layout is drawn in {@link FrameHeader}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Reads</b> are serialised: concurrent {@link #readFrame()} callers get whole frames, one each. A
 *       frame is handed out as soon as its last byte arrived; the reader never waits for bytes of a later
 *       frame (unlike the Go original, no empty frame is needed to push one through). Empty frames are
 *       delivered. The caller owns each {@link Frame} and closes it.</li>
 *   <li><b>Writes</b>: {@link #writeFrame(int, ByteBuffer)} sends header and payload as one unit, so frames
 *       of concurrent writers never interleave, and frames leave in the order they were accepted. On an
 *       idle connection a returning call has handed its frame to the operating system; while a write is
 *       under way a small frame may be staged for the next gathering write instead, and {@link #flush()}
 *       waits for it (the method's Javadoc says exactly what a return guarantees and where errors surface).
 *       {@link #writeBatch(FrameBatch)} sends many frames contiguously.</li>
 *   <li><b>Bounds</b>: a payload length above {@link FrameConnConfig#maxPayloadLength()} fails the read
 *       before anything is allocated for it.</li>
 *   <li><b>Timeouts</b>: a read or write that makes no progress for the idle timeout fails with
 *       {@link FrameTimeoutException}; so does any operation when an absolute deadline passes. A timeout
 *       may leave a frame half transferred, so it closes the connection abortively: afterwards every read
 *       and write fails, saying why.</li>
 *   <li><b>Failures</b> from the peer are {@link FrameConnException} subtypes. After a read-side failure
 *       (truncated, oversized or reserved frame, reset, I/O error) further reads throw
 *       {@link ConnectionBrokenException}; likewise for the write side. A clean end of stream is not a
 *       failure: reads keep throwing {@link EndOfStreamException} and writes still work.</li>
 *   <li><b>Shutdown</b> ({@link #shutdown(Duration)}) is the RST handshake of the original: no frame the
 *       peer has already been sent is destroyed by an early TCP reset. {@link #close()} closes at
 *       once.</li>
 * </ul>
 *
 * <p>All blocking methods work on platform and virtual threads alike (locks are {@link ReentrantLock}s).
 * Interrupting a thread blocked in I/O closes the connection, as for any
 * {@link java.nio.channels.InterruptibleChannel}.
 *
 * <h2>States</h2>
 * A connection is open until a shutdown begins: by {@link #shutdown()} here or by the peer's RST, which a
 * read receives. While shutting down, new reads and writes fail at once with
 * {@link ConnectionShutdownException}; calls already inside finish first. It is closed when
 * {@link #shutdown()} ends (after the peer's RST, only once {@code shutdown()} was called too), or at once
 * by {@link #close()} or a timeout.
 */
public final class FrameConn implements AutoCloseable {
    /** Payloads up to this size are copied and may be gathered with other frames. */
    static final int COPY_THRESHOLD = Outbound.COPY_THRESHOLD;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Transport wire;
    private final FrameConnConfig config;
    private final Deadlines deadlines;
    private final Lifecycle lifecycle = new Lifecycle();
    private final ErrorTranslator errors;
    private final Outbound outbound;
    private final Inbound inbound;
    private final ShutdownSequence ending;

    private FrameConn(Transport wire, FrameConnConfig config) {
        this.wire = wire;
        this.config = config;
        // the watchdog calls back only after start(), when errors is set
        this.deadlines = new Deadlines(config.ticker(), config.idleTimeout().toNanos(), this::onTimeout);
        this.errors = new ErrorTranslator(wire, deadlines, lifecycle);
        this.outbound = new Outbound(this, wire, deadlines, config.bufferPool(), config.metrics());
        this.inbound = new Inbound(wire, config, deadlines, errors, lifecycle, outbound);
        this.ending = new ShutdownSequence(wire, config, deadlines, lifecycle, errors, inbound, outbound);
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
     * Connects to a TCP ({@link InetSocketAddress}) or Unix domain socket ({@link UnixDomainSocketAddress})
     * address. TCP waits at most {@link FrameConnConfig#connectTimeout()}, switches TCP_NODELAY on and sets
     * {@link FrameConnConfig#socketBufferSize()} if it is not 0.
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
        return wrap(Sockets.connect(address, config), config);
    }

    /**
     * Takes over a connected {@link SocketChannel} (TCP or Unix domain). The connection owns the channel
     * from now on and closes it, also if this method fails.
     *
     * @param channel a connected channel
     * @param config the connection's configuration
     * @return the connection
     * @throws IOException if the channel cannot be set up (blocking mode, TCP_NODELAY); it is then closed
     */
    public static FrameConn wrap(SocketChannel channel, FrameConnConfig config) throws IOException {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(config, "config");
        try {
            return new FrameConn(new SocketTransport(channel), config);
        } catch (IOException | RuntimeException e) {
            Sockets.closeQuietly(channel, e);
            throw e;
        }
    }

    /**
     * Runs a framed connection over any {@link Transport}: TLS, an in-memory pipe, a custom stream. The
     * connection owns the transport from now on.
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

    /**
     * Reads the next frame. Blocks until a whole frame has arrived; the caller owns the returned frame and
     * must close it.
     *
     * @return the frame, owned by the caller
     * @throws ConnectionShutdownException if a shutdown began (here or at the peer, whose RST this read may
     *         have just received)
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
        return inbound.read();
    }

    /**
     * Writes one frame: the bytes between {@code payload}'s position and limit. The buffer's position,
     * limit and content are left unchanged, and the caller may reuse it as soon as this returns.
     *
     * <p><b>What a return guarantees.</b> The frame has been accepted, whole and in order: frames of
     * concurrent writers never interleave, and a later frame never overtakes it. When the connection is
     * idle, the frame has been handed to the operating system before this returns. While the connection is
     * busy writing (another write under way, or this thread writing back to back without reading in
     * between, which hands the writing to a background virtual thread for as long as frames keep coming,
     * when the transport's writes are slow enough for that to pay), a small frame (up to 8 KiB) may instead
     * be copied into the connection's staging buffer, to leave with the next gathering write; this is what
     * lets small frames reach millions per second. {@link #flush()} waits until every frame accepted so far
     * has been handed to the operating system.
     *
     * <p><b>Where errors surface.</b> A failure of the write that carries this frame is thrown here if this
     * call did that write; if the frame was staged, the failure surfaces as
     * {@link ConnectionBrokenException} (with the cause) on the next {@code writeFrame}, {@link #flush()},
     * or {@link #shutdown}. After a failure the write side is broken.
     *
     * @param type the frame type, an application type
     * @param payload the bytes between its position and limit are sent; left unchanged
     * @throws IllegalArgumentException if {@code type} has a reserved bit set (nothing is written)
     * @throws ConnectionShutdownException if a shutdown began
     * @throws FrameTimeoutException if the peer accepted no data for the idle timeout
     * @throws ConnectionResetException if the peer reset the connection
     * @throws ConnectionBrokenException if an earlier write failed
     * @throws InterruptedIOException if interrupted while waiting for another writer
     */
    public void writeFrame(int type, ByteBuffer payload) throws IOException {
        if (!FrameHeader.isApplicationType(type)) {
            throw new IllegalArgumentException("type=" + FrameHeader.typeToString(type)
                    + " uses reserved bits 28..31; application types are 0x00000000..0x0fffffff");
        }
        Objects.requireNonNull(payload, "payload");
        if (lifecycle.isShuttingDown()) {
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
     * Writes every frame of {@code batch}, in order and contiguous (no other writer's frame comes between
     * them), in few system calls (small frames are copied together up to 64 KiB, large payloads gathered
     * behind them up to 1 MiB per call), and returns once all of them have been handed to the operating
     * system. The batch is cleared on success. Payload buffers are left unchanged.
     *
     * @param batch the frames to write
     * @throws ConnectionShutdownException if a shutdown began
     * @throws FrameTimeoutException if the peer accepted no data for the idle timeout
     * @throws ConnectionBrokenException if an earlier write failed
     */
    public void writeBatch(FrameBatch batch) throws IOException {
        Objects.requireNonNull(batch, "batch");
        if (lifecycle.isShuttingDown()) {
            throw shuttingDown();
        }
        if (!batch.isEmpty()) {
            outbound.writeBatch(batch);
        }
    }

    /**
     * Waits until every frame accepted by {@link #writeFrame} before this call has been handed to the
     * operating system.
     *
     * @throws ConnectionBrokenException if a staged frame could not be written
     */
    public void flush() throws IOException {
        outbound.flush();
    }

    /**
     * Renews the write idle timeout, as if the write in progress had just made progress. The heartbeat
     * layer calls it when the peer proves alive while our writes are blocked. Does nothing if no write is
     * in progress.
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
     * Sets an absolute deadline {@code fromNow} from now, on the configured clock. When it passes, whatever
     * is in progress fails with {@link FrameTimeoutException} ({@link FrameTimeoutException.Kind#DEADLINE})
     * and the connection is closed abortively, busy or idle: it bounds the life of the connection, as
     * shutdown uses it.
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

    private void onTimeout(FrameTimeoutException.Kind kind) {
        errors.timedOut(kind);
    }

    /** What a caller of a transport call that threw {@code e} gets: see {@link ErrorTranslator}. */
    IOException translate(IOException e) {
        return errors.translate(e);
    }

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
     * <p>Closing while the peer's data is still arriving would make our kernel answer with a TCP reset,
     * which can overtake and destroy the data we sent last before the peer's application read it. So, as in
     * the original:
     * <ol>
     *   <li>new reads and writes fail with {@link ConnectionShutdownException}; calls already inside finish
     *       first;</li>
     *   <li>idle timeouts go off and the deadline {@code now + timeout} comes on, so that nothing below,
     *       nor any call in progress, outlives it;</li>
     *   <li>under the write lock: send RST, then half-close (TCP: FIN, after all data written before);</li>
     *   <li>under the read lock: discard what arrives until the peer's end of stream (it read our RST and
     *       shut down too), the deadline, or {@link FrameConnConfig#drainLimit()} bytes;</li>
     *   <li>close. A reset reported by this close is not an error.</li>
     * </ol> A step that fails closes abortively and is counted under its name in the metrics. If a protocol
     * violation or an oversized frame broke the read side, the stream is not trustworthy: RST and FIN still
     * go out, but the drain is skipped and the close is abortive (counted under {@code drain}). This method
     * never throws for peer or network failures; it returns how it went. It is safe to call more than once
     * and from several threads: later calls wait for the first and return its result.
     *
     * @param reason sent in the RST's payload, or null for an empty RST; when null and the read side broke
     *        by a protocol violation, the matching reason is sent
     * @param timeout bound on the whole shutdown, zero or positive
     * @return how the shutdown went
     * @throws IllegalArgumentException if timeout is negative
     */
    public ShutdownResult shutdown(Duration timeout, ShutdownReason reason) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout=" + timeout + " must not be negative");
        }
        return ending.shutdown(timeout, reason);
    }

    /**
     * Closes the connection at once, without the RST handshake: blocked reads and writes fail with
     * {@link ConnectionShutdownException}. If a {@link #shutdown} is in progress, it is cut short (abortive
     * close). Idempotent; never throws.
     */
    @Override
    public void close() {
        ending.close();
    }

    /**
     * True until the connection is closed (by shutdown, close or a timeout).
     *
     * @return whether the connection is open
     */
    public boolean isOpen() {
        return !lifecycle.isClosed() && wire.isOpen();
    }

    /**
     * The reason the peer gave in its RST, once one arrived with a reason.
     *
     * @return the peer's reason, or empty
     */
    public java.util.Optional<ShutdownReason> peerShutdownReason() {
        return java.util.Optional.ofNullable(lifecycle.peerReason());
    }

    /**
     * True once a shutdown began, here or at the peer.
     *
     * @return whether a shutdown began
     */
    public boolean isShuttingDown() {
        return lifecycle.isShuttingDown();
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
        return lifecycle.shuttingDown();
    }

    @Override
    public String toString() {
        return "FrameConn[" + localAddress() + " -> " + remoteAddress()
                + (lifecycle.isClosed() ? ", closed" : isShuttingDown() ? ", shutting down" : "") + "]";
    }
}
