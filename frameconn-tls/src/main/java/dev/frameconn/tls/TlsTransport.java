package dev.frameconn.tls;

import dev.frameconn.internal.Sockets;
import dev.frameconn.tls.TlsHandshakeException.Reason;
import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * A {@link Transport} that runs TLS ({@link SSLEngine}) over a blocking
 * {@link SocketChannel}. It owns the connection's lifecycle and its shared
 * state (closed, refused renegotiation, the peer's fatal alert) and hands the
 * work to three parts: {@link TlsHandshake} (the first handshake, under a
 * timeout), {@link TlsRecordReader} and {@link TlsRecordWriter} (record I/O).
 *
 * <h2>Threads</h2>
 * One reader and one writer may work at once, as the Transport contract
 * allows: the reader's buffers are guarded by its lock, the writer's by its
 * own, and the handshake holds both. (The JDK's engine serialises wrap and
 * unwrap internally; our locks only order our own buffers and the socket.)
 *
 * <h2>No renegotiation</h2>
 * Once the first handshake of a TLS 1.2 session has finished, a new handshake
 * (renegotiation, asked for by either side) is refused: the connection is
 * aborted and the read or write that met it throws a
 * {@link TlsHandshakeException} with {@link Reason#RENEGOTIATION_REFUSED};
 * later calls throw the same. TLS 1.2 sends handshake messages in records of
 * their own type, and after the handshake only a renegotiation does, so the
 * reader refuses such a record before the engine sees it (the engine then never
 * starts a handshake, which a concurrent writer could otherwise carry on). As a
 * second line, a handshake status other than NOT_HANDSHAKING after an unwrap or
 * wrap is refused too. We do not rely on the JDK's
 * {@code jdk.tls.rejectClientInitiatedRenegotiation}: it is process-wide, and
 * covers only one side. TLS 1.3 has no renegotiation; its post-handshake
 * messages (NewSessionTicket, KeyUpdate) travel as application-data records
 * and the engine handles them inside unwrap, so none of this applies to it.
 *
 * <h2>Close</h2>
 * <ul>
 *   <li>{@link #shutdownOutput()} sends close_notify, then half-closes TCP. On
 *       TLS 1.3 this closes our direction only: we keep reading until the
 *       peer's close_notify. On TLS 1.2 close_notify closes the session both
 *       ways; the JDK still lets us read what the peer sent before it saw ours,
 *       and the peer's engine answers with its own close_notify, which we read
 *       as end of stream.</li>
 *   <li>Receiving close_notify is end of stream (-1). On TLS 1.3 we can still
 *       write; on TLS 1.2 we answer with close_notify at once and every later
 *       write fails with an {@link IOException} saying so (TLS 1.2 has no half-close).</li>
 *   <li>TCP end of stream at a record boundary without close_notify is end of
 *       stream too, as Go's crypto/tls (zrepl) takes it; {@link #close()} sends
 *       no close_notify, just as a TCP close sends only FIN, so that close never
 *       blocks. Inside a record it is an error (truncated record).</li>
 *   <li>{@link #close()} and {@link #abort()} close the socket, which wakes a
 *       blocked reader or writer with a {@link ClosedChannelException}.</li>
 * </ul>
 *
 * <p>Buffers: three per connection, made once (ciphertext: 64 KiB in, eight
 * records out; plaintext: one record), none per frame. Header and payload of a frame are
 * wrapped together by {@link SSLEngine#wrap(ByteBuffer[], int, int, ByteBuffer)};
 * large reads decrypt straight into the caller's buffer. The ciphertext
 * buffers are heap buffers on purpose: the JDK's engine encrypts and decrypts
 * in place in them, and its AES-GCM goes through temporary arrays for direct
 * buffers but not for heap ones (about 45 % less garbage per frame, measured;
 * Netty's SslHandler prefers heap buffers for the JDK engine likewise). What
 * the JDK still allocates per record (its cipher's per-record state,
 * {@link javax.net.ssl.SSLEngineResult}) is outside our reach.
 */
final class TlsTransport implements Transport {
    /** Ciphertext buffers: several records per system call. */
    static final int NET_BUFFER_SIZE = 64 << 10;
    /**
     * Records per write system call at most. A 64 KiB frame with its header is
     * five records (the fifth holds 8 bytes); eight let one call carry a whole
     * such frame, and 128 KiB of a larger one.
     */
    static final int RECORDS_PER_WRITE = 8;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final TlsRecordReader reader;
    private final TlsRecordWriter writer;

    /** Set when the peer ended the session with a fatal alert (for example, it refused our certificate). */
    private volatile IOException fatalAlert;
    private volatile boolean closed;
    /**
     * True once the first handshake of a TLS 1.2 session has finished: any later
     * handshake is a renegotiation, refused. Written with both locks held, read
     * under either.
     */
    private boolean refuseHandshakes;
    /** Why the connection was aborted, if a renegotiation was refused: later calls report it too. */
    private volatile TlsHandshakeException refusal;

    /** Takes over a connected channel: blocking mode, TCP_NODELAY. Closes it if this fails. */
    TlsTransport(SocketChannel channel, SSLEngine engine) throws IOException {
        this.channel = channel;
        this.engine = engine;
        try {
            channel.configureBlocking(true);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            this.local = channel.getLocalAddress();
            this.remote = channel.getRemoteAddress();
        } catch (IOException | RuntimeException e) {
            Sockets.closeQuietly(channel, e);
            throw e;
        }
        reader = new TlsRecordReader(this, engine, channel);
        writer = new TlsRecordWriter(this, engine, channel);
        reader.writer(writer);
    }

    SSLEngine engine() {
        return engine;
    }

    // ---------------------------------------------------------------- handshake

    /**
     * Runs the whole handshake within {@code timeout}; see {@link TlsHandshake}.
     * On failure the socket is closed and the failure says why.
     */
    void handshake(Duration timeout) throws TlsHandshakeException {
        new TlsHandshake(this, reader, writer).run(timeout);
    }

    /** The handshake finished; both locks are held. From now on TLS 1.2 refuses handshakes. */
    void established() {
        refuseHandshakes = !TlsConfig.TLS_1_3.equals(engine.getSession().getProtocol());
        reader.established();
        writer.established();
    }

    /** Runs the engine's delegated tasks (certificate checks) on this thread, bounded by the idle or handshake timeout. */
    void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    static boolean isHandshaking(HandshakeStatus hs) {
        return hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED;
    }

    // ---------------------------------------------------------------- record I/O

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return reader.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return writer.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return writer.write(srcs, offset, length);
    }

    /** TLS 1.3: sends a KeyUpdate that asks the peer to answer; see {@link TlsRecordWriter#requestKeyUpdate()}. */
    void requestKeyUpdate() throws IOException {
        writer.requestKeyUpdate();
    }

    // ---------------------------------------------------------------- shared state

    boolean isClosed() {
        return closed;
    }

    /** True on an established TLS 1.2 session; the caller holds the read or the write lock. */
    boolean refusesHandshakes() {
        return refuseHandshakes;
    }

    boolean refusedRenegotiation() {
        return refusal != null;
    }

    IOException fatalAlert() {
        return fatalAlert;
    }

    /** A TLS failure met by a read: sorted, and kept so that writers say why they cannot write any more. */
    IOException failedAfterHandshake(SSLException e) {
        IOException failure = HandshakeFailures.afterHandshake(e, this);
        fatalAlert = failure; // the engine's outbound side is closed now too
        return failure;
    }

    /**
     * Aborts the connection because a new handshake began on an established
     * TLS 1.2 session, and returns the failure to throw. No alert:
     * {@link SSLEngine} has no call that makes one on demand, and TLS 1.2's
     * no_renegotiation is only a warning, which the peer may ignore; the
     * abort ends the attempt for certain.
     */
    TlsHandshakeException refuseRenegotiation(String what) {
        TlsHandshakeException e = new TlsHandshakeException(Reason.RENEGOTIATION_REFUSED, remote, what + " after the "
                + engine.getSession().getProtocol() + " handshake had finished; renegotiation is refused,"
                + " so the connection was aborted", null);
        refusal = e;
        abort();
        return e;
    }

    /** For a call on a closed transport: the refused renegotiation that closed it, if that is what did. */
    IOException closedFailure() {
        TlsHandshakeException refused = refusal;
        if (refused != null) {
            return new TlsHandshakeException(Reason.RENEGOTIATION_REFUSED, remote,
                    "this " + engine.getSession().getProtocol()
                    + " connection was aborted when the peer tried to renegotiate (see the cause)", refused);
        }
        return new ClosedChannelException();
    }

    // ---------------------------------------------------------------- closing

    /** Sends close_notify and half-closes TCP; see the class comment for TLS 1.2. */
    @Override
    public void shutdownOutput() throws IOException {
        writer.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        discardUnreadIfIdle();
        try {
            channel.close();
        } finally {
            releaseIfIdle();
        }
    }

    /**
     * A TCP close with unread bytes in the receive buffer sends RST instead of
     * FIN, and the peer may then lose what it has not read yet. With TLS 1.3
     * there nearly always are such bytes: the server's session tickets, which
     * arrive after the handshake and which a client that only writes never
     * reads. So, when no reader or writer is inside (no socket call can then
     * block us), read off what is already there, without waiting, before closing.
     */
    private void discardUnreadIfIdle() {
        if (!reader.lock.tryLock()) {
            return;
        }
        try {
            if (!writer.lock.tryLock()) {
                return;
            }
            try {
                reader.discardArrived();
            } finally {
                writer.lock.unlock();
            }
        } finally {
            reader.lock.unlock();
        }
    }

    /** Closes with RST (SO_LINGER 0), which wakes a blocked reader or writer; never throws. */
    @Override
    public void abort() {
        closed = true;
        Sockets.abort(channel);
        releaseIfIdle();
    }

    /** Gives the buffers back if no reader or writer is inside; one that is does so on its way out. */
    private void releaseIfIdle() {
        if (reader.lock.tryLock()) {
            try {
                reader.releaseIfClosed();
            } finally {
                reader.lock.unlock();
            }
        }
        if (writer.lock.tryLock()) {
            try {
                writer.releaseIfClosed();
            } finally {
                writer.lock.unlock();
            }
        }
    }

    @Override
    public boolean isOpen() {
        return !closed && channel.isOpen();
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "TlsTransport[" + local + " -> " + remote + ", " + engine.getSession().getProtocol()
                + (closed ? ", closed]" : "]");
    }
}
