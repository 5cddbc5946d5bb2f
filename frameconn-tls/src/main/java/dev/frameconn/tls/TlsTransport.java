package dev.frameconn.tls;

import dev.frameconn.tls.TlsHandshakeException.Reason;
import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * A {@link Transport} that runs TLS ({@link SSLEngine}) over a blocking
 * {@link SocketChannel}.
 *
 * <h2>Threads</h2>
 * One reader and one writer may work at once, as the Transport contract
 * allows. The reader owns {@code netIn} (ciphertext received, not yet
 * decrypted) and {@code appIn} (plaintext decrypted, not yet returned) under
 * {@code readLock}; the writer owns {@code netOut} under {@code writeLock},
 * and every {@code wrap} and every socket write happens under it, so records
 * leave in the order the engine made them. (The JDK's engine serialises wrap
 * and unwrap internally; our locks only order our own buffers and the socket.)
 *
 * <p>An unwrap can leave something for the peer after the handshake: a TLS 1.3
 * KeyUpdate answer, or, on TLS 1.2, the close_notify answer. The reader then
 * sets {@code wrapWanted} and sends it if it can take the write lock at once;
 * if a writer holds it, that writer sends it, since every writer checks the
 * flag after unlocking. So a reader never waits behind a writer blocked on a
 * peer that does not read.
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
 * {@link SSLEngineResult}) is outside our reach.
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
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final ByteBuffer[] NOTHING = {EMPTY};
    private static final int RECORD_HANDSHAKE = 0x16;
    private static final int RECORD_ALERT = 0x15;
    /** Content type (1), version (2), length (2). */
    private static final int RECORD_HEADER_LENGTH = 5;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final SocketAddress local;
    private final SocketAddress remote;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();

    // read side, guarded by readLock; both in read mode (unread bytes between position and limit)
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private final ByteBuffer[] unwrapTo = new ByteBuffer[2];
    private boolean inboundDone;

    // write side, guarded by writeLock; netOut is empty between calls
    private ByteBuffer netOut;
    private final ByteBuffer[] single = new ByteBuffer[1];
    private boolean outputShut;
    /**
     * The session's packet buffer size, taken once after the handshake: the
     * JDK computes it under a session lock, which a write per frame need not take.
     */
    private int packetSize;
    /**
     * The session's application buffer size, taken with {@link #packetSize}: a
     * destination with this much room takes any record's plaintext whole.
     */
    private int appSize;

    private volatile boolean wrapWanted;
    /** Set when the peer ended the session with a fatal alert (for example, it refused our certificate). */
    private volatile IOException fatalAlert;
    private volatile boolean closed;
    // handshake only
    private volatile boolean handshakeTimedOut;
    /** Handshake outcome: the timer and the handshake race for it, so a late timer never kills a finished one. */
    private final java.util.concurrent.atomic.AtomicInteger handshakeState = new java.util.concurrent.atomic.AtomicInteger();
    private static final int RUNNING = 0;
    private static final int FINISHED = 1;
    private static final int EXPIRED = 2;
    private long handshakeBytesIn;
    private boolean handshaking;
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
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        int packet = engine.getSession().getPacketBufferSize();
        packetSize = packet;
        appSize = engine.getSession().getApplicationBufferSize();
        netIn = ByteBuffer.allocate(Math.max(NET_BUFFER_SIZE, packet));
        netIn.clear().limit(0);
        appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        appIn.clear().limit(0);
        netOut = ByteBuffer.allocate(RECORDS_PER_WRITE * packet);
        netOut.clear();
    }

    SSLEngine engine() {
        return engine;
    }

    // ---------------------------------------------------------------- handshake

    /**
     * Runs the whole handshake within {@code timeout}. On failure the socket is
     * closed (after our alert, if the engine has one for the peer) and the
     * failure is a {@link TlsHandshakeException} saying why.
     */
    void handshake(Duration timeout) throws TlsHandshakeException {
        readLock.lock();
        writeLock.lock();
        ScheduledFuture<?> timer = HandshakeTimer.schedule(this::expireHandshake, timeout);
        boolean done = false;
        handshaking = true;
        try {
            if (closed) {
                // a server's close() may abort a transport before its handshake starts; its buffers are gone
                throw new ClosedChannelException();
            }
            engine.beginHandshake();
            runHandshake();
            if (!handshakeState.compareAndSet(RUNNING, FINISHED)) {
                throw new ClosedChannelException(); // the timer fired first and closed the socket
            }
            refuseHandshakes = !TlsConfig.TLS_1_3.equals(engine.getSession().getProtocol());
            packetSize = engine.getSession().getPacketBufferSize(); // fixed from now on: no renegotiation
            appSize = engine.getSession().getApplicationBufferSize();
            done = true;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SSLException) {
                sendAlert();
            }
            throw HandshakeFailures.classify(e, this, timeout);
        } finally {
            handshaking = false;
            timer.cancel(false);
            if (!done && !closed) {
                // FIN after our alert, if any, so that the peer can read it; a timeout has aborted already
                try {
                    close();
                } catch (IOException ignored) {
                    // the handshake's failure is what the caller needs
                }
            }
            releaseIfClosed();
            writeLock.unlock();
            readLock.unlock();
        }
    }

    private void expireHandshake() {
        if (handshakeState.compareAndSet(RUNNING, EXPIRED)) {
            handshakeTimedOut = true;
            abort();
        }
    }

    boolean handshakeTimedOut() {
        return handshakeTimedOut;
    }

    long handshakeBytesIn() {
        return handshakeBytesIn;
    }

    private void runHandshake() throws IOException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_WRAP -> {
                    SSLEngineResult r = engine.wrap(NOTHING, netOut);
                    if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                        growNetOut(engine.getSession().getPacketBufferSize()); // a flight larger than 64 KiB
                        continue;
                    }
                    flushNetOut();
                    if (r.getStatus() == Status.CLOSED && r.bytesProduced() == 0) {
                        throw new SSLException("engine closed during the handshake");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    appIn.compact();
                    SSLEngineResult r;
                    try {
                        r = engine.unwrap(netIn, appIn);
                    } finally {
                        appIn.flip();
                    }
                    if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
                        if (fillNetIn() < 0) {
                            throw new TlsHandshakeException(Reason.PEER_CLOSED, remote,
                                    HandshakeFailures.closedHint(handshakeBytesIn), null);
                        }
                    } else if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                        growAppIn();
                    } else if (r.getStatus() == Status.CLOSED) {
                        throw new TlsHandshakeException(Reason.PEER_CLOSED, remote,
                                "peer closed the TLS session during the handshake", null);
                    }
                }
                case NEED_TASK -> runTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
                default -> throw new SSLException("unexpected handshake status=" + hs);
            }
        }
    }

    /** After a handshake failure the engine may hold an alert for the peer; send it, best effort. */
    private void sendAlert() {
        try {
            netOut.clear();
            for (int i = 0; i < 4 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                SSLEngineResult r = engine.wrap(NOTHING, netOut);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
            flushNetOut();
        } catch (IOException | RuntimeException ignored) {
            // the alert is a courtesy; the failure itself is reported to our caller
        }
    }

    /** Bytes received so far that are not TLS: the first at most 8, as hex. */
    private void checkLooksLikeTls() throws TlsHandshakeException {
        int at = netIn.position();
        int first = netIn.get(at) & 0xff;
        boolean tls = (first == RECORD_HANDSHAKE || first == RECORD_ALERT)
                && (netIn.remaining() < 2 || netIn.get(at + 1) == 0x03);
        if (!tls) {
            byte[] head = new byte[Math.min(8, netIn.remaining())];
            netIn.get(at, head);
            throw new TlsHandshakeException(Reason.NOT_TLS, remote, "peer sent bytes="
                    + HexFormat.ofDelimiter(" ").formatHex(head) + ", which are not a TLS record"
                    + HandshakeFailures.plainHint(head), null);
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Returns what is decrypted already, or decrypts: one record, waiting for
     * it if need be, then every further record that has arrived whole and fits
     * {@code dst} without spilling (a large destination takes all that one
     * socket read brought in a single call; none of them waits for more bytes).
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        readLock.lock();
        try {
            if (closed) {
                throw closedFailure();
            }
            if (appIn.hasRemaining()) {
                int n = Math.min(appIn.remaining(), dst.remaining());
                dst.put(dst.position(), appIn, appIn.position(), n);
                dst.position(dst.position() + n);
                appIn.position(appIn.position() + n);
                return n;
            }
            int delivered = 0;
            while (!inboundDone && dst.hasRemaining()) {
                if (delivered > 0 && !(dst.remaining() >= appSize && wholeRecordBuffered())) {
                    break; // the next record could spill into appIn, or would need a socket read
                }
                if (!netIn.hasRemaining() && fillNetIn() < 0) {
                    inboundDone = true;
                    break;
                }
                if (refuseHandshakes && netIn.get(netIn.position()) == RECORD_HANDSHAKE) {
                    // netIn starts at a record boundary: the engine consumes whole records only
                    throw refuseRenegotiation("the peer sent a handshake record (a ClientHello or"
                            + " HelloRequest: it asks for a renegotiation)");
                }
                int before = dst.position();
                SSLEngineResult r = unwrapInto(dst);
                delivered += dst.position() - before;
                switch (r.getStatus()) {
                    case OK -> {
                        if (refuseHandshakes && isHandshaking(r.getHandshakeStatus())) {
                            throw refuseRenegotiation("the engine started a new handshake (status="
                                    + r.getHandshakeStatus() + ") on what the peer sent");
                        }
                        afterUnwrap(r.getHandshakeStatus());
                    }
                    case CLOSED -> {
                        inboundDone = true; // close_notify; on TLS 1.2 the engine now wants to answer it
                        afterUnwrap(r.getHandshakeStatus());
                    }
                    case BUFFER_UNDERFLOW -> {
                        if (fillNetIn() < 0) {
                            inboundDone = true;
                            if (netIn.hasRemaining()) {
                                throw new IOException("TLS record truncated: the connection ended after "
                                        + netIn.remaining() + " bytes of a record");
                            }
                        }
                    }
                    case BUFFER_OVERFLOW -> growAppIn();
                }
                if (appIn.hasRemaining()) {
                    break; // dst is full; the rest of the record waits in appIn
                }
            }
            if (delivered > 0) {
                return delivered;
            }
            return inboundDone ? -1 : 0;
        } finally {
            releaseReadIfClosed();
            readLock.unlock();
        }
    }

    /** True if netIn holds a whole record (header and body), so unwrapping it needs no socket read. */
    private boolean wholeRecordBuffered() {
        int available = netIn.remaining();
        if (available < RECORD_HEADER_LENGTH) {
            return false;
        }
        int length = netIn.getShort(netIn.position() + 3) & 0xffff;
        return available >= RECORD_HEADER_LENGTH + length;
    }

    /** Decrypts one record into {@code dst}, the rest of it (if dst is small) into appIn. */
    private SSLEngineResult unwrapInto(ByteBuffer dst) throws IOException {
        appIn.clear();
        unwrapTo[0] = dst;
        unwrapTo[1] = appIn;
        try {
            return engine.unwrap(netIn, unwrapTo);
        } catch (SSLException e) {
            IOException failure = HandshakeFailures.afterHandshake(e, this);
            fatalAlert = failure; // the engine's outbound side is closed now too: writers say why
            throw failure;
        } finally {
            unwrapTo[0] = null; // do not keep the caller's buffer reachable
            appIn.flip();
        }
    }

    private void afterUnwrap(HandshakeStatus hs) throws IOException {
        if (hs == HandshakeStatus.NEED_TASK) {
            runTasks();
            hs = engine.getHandshakeStatus();
        }
        if (hs == HandshakeStatus.NEED_WRAP) {
            wrapWanted = true;
            sendWantedWraps();
        }
    }

    /** Reads ciphertext into netIn; -1 at end of stream. */
    private int fillNetIn() throws IOException {
        netIn.compact();
        if (!netIn.hasRemaining()) {
            growNetIn();
        }
        int n;
        try {
            n = channel.read(netIn);
        } finally {
            netIn.flip();
        }
        if (handshaking && n > 0) {
            if (handshakeBytesIn == 0) {
                checkLooksLikeTls();
            }
            handshakeBytesIn += n;
        }
        return n;
    }

    /**
     * Doubles netIn, keeping the bytes it holds. {@link #fillNetIn()} calls
     * this when netIn is full although the engine asked for more bytes
     * (BUFFER_UNDERFLOW): one incomplete record fills the whole buffer. With
     * the JDK's engine that cannot happen: netIn holds at least 64 KiB, and the
     * JDK refuses a record longer than its packet buffer size (at most 33 093
     * bytes, {@code SSLEngineImpl.readRecord}) with an SSLProtocolException
     * before it ever reports an underflow. The growth is for an engine that
     * accepts larger records: a record's length field has 16 bits (at most
     * 5 + 65 535 bytes), so one doubling holds any record, and the buffer keeps
     * that size for the rest of the connection.
     */
    private void growNetIn() {
        ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
        bigger.clear();
        netIn.flip();
        bigger.put(netIn);
        netIn = bigger;
    }

    private void growAppIn() {
        int size = Math.max(appIn.capacity() * 2, engine.getSession().getApplicationBufferSize());
        ByteBuffer bigger = ByteBuffer.allocate(size);
        bigger.clear();
        bigger.put(appIn);
        bigger.flip();
        appIn = bigger;
    }

    // ---------------------------------------------------------------- writing

    @Override
    public int write(ByteBuffer src) throws IOException {
        writeLock.lock();
        try {
            single[0] = src;
            return (int) write(single, 0, 1);
        } finally {
            single[0] = null;
            writeLock.unlock();
        }
    }

    /**
     * Encrypts as many records of {@code srcs} as fit one ciphertext buffer
     * ({@link #RECORDS_PER_WRITE}; header and payload of a frame share records)
     * and sends them: each call is a unit of progress for the idle timeout.
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        writeLock.lock();
        try {
            if (closed || outputShut) {
                throw closedFailure();
            }
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += srcs[i].remaining();
            }
            if (total > 0) {
                wrapWanted = false; // whatever the reader left is produced by the wraps below, first
            }
            long consumed = 0;
            int packet = packetSize;
            while (consumed < total) {
                if (netOut.position() > 0 && netOut.remaining() < packet) {
                    break; // full: send, and return the progress
                }
                SSLEngineResult r = engine.wrap(srcs, offset, length, netOut);
                consumed += r.bytesConsumed();
                switch (r.getStatus()) {
                    case CLOSED -> {
                        flushNetOut(); // a close_notify answer, if any, still goes out
                        throw outboundClosed();
                    }
                    case BUFFER_OVERFLOW -> {
                        if (netOut.position() > 0) {
                            flushNetOut();
                        } else {
                            growNetOut(packet);
                        }
                        continue;
                    }
                    default -> { }
                }
                HandshakeStatus hs = r.getHandshakeStatus();
                if (refuseHandshakes && isHandshaking(hs) && !engine.isInboundDone()) {
                    // (after the peer's close_notify, TLS 1.2's engine wants to wrap its answer: not a handshake)
                    throw refuseRenegotiation("the engine started a new handshake (status=" + hs
                            + ") while this side wrote");
                }
                if (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                } else if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    throw new SSLException("TLS renegotiation is not supported (handshake status=" + hs
                            + " after the handshake)");
                }
            }
            flushNetOut();
            return consumed;
        } catch (ClosedChannelException e) {
            throw refusal != null ? closedFailure() : e; // a refused renegotiation aborted the socket under us
        } finally {
            releaseWriteIfClosed();
            writeLock.unlock();
            sendWantedWraps();
        }
    }

    /**
     * TLS 1.3: sends a KeyUpdate that asks the peer to update its keys too, as
     * the JDK does by itself after its key limits. For tests of the
     * post-handshake path, where the peer's reader must answer.
     */
    void requestKeyUpdate() throws IOException {
        writeLock.lock();
        try {
            if (closed || outputShut) {
                throw new ClosedChannelException();
            }
            if (refuseHandshakes) {
                throw new IllegalStateException("protocol=" + engine.getSession().getProtocol()
                        + " has no KeyUpdate: beginHandshake would start a renegotiation");
            }
            engine.beginHandshake(); // after a TLS 1.3 handshake: a KeyUpdate, not a new handshake
            for (int i = 0; i < 8 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                if (engine.wrap(NOTHING, netOut).bytesProduced() == 0) {
                    break;
                }
            }
            flushNetOut();
        } finally {
            releaseWriteIfClosed();
            writeLock.unlock();
        }
    }

    private static boolean isHandshaking(HandshakeStatus hs) {
        return hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED;
    }

    /**
     * Aborts the connection because a new handshake began on an established
     * TLS 1.2 session, and returns the failure to throw. No alert:
     * {@link SSLEngine} has no call that makes one on demand, and TLS 1.2's
     * no_renegotiation is only a warning, which the peer may ignore; the
     * abort ends the attempt for certain.
     */
    private TlsHandshakeException refuseRenegotiation(String what) {
        TlsHandshakeException e = new TlsHandshakeException(Reason.RENEGOTIATION_REFUSED, remote, what + " after the "
                + engine.getSession().getProtocol() + " handshake had finished; renegotiation is refused,"
                + " so the connection was aborted", null);
        refusal = e;
        abort();
        return e;
    }

    /** For a call on a closed transport: the refused renegotiation that closed it, if that is what did. */
    private IOException closedFailure() {
        TlsHandshakeException refused = refusal;
        if (refused != null) {
            return new TlsHandshakeException(Reason.RENEGOTIATION_REFUSED, remote,
                    "this " + engine.getSession().getProtocol()
                    + " connection was aborted when the peer tried to renegotiate (see the cause)", refused);
        }
        return new ClosedChannelException();
    }

    private IOException outboundClosed() {
        if (outputShut) {
            return new ClosedChannelException();
        }
        IOException alert = fatalAlert;
        if (alert != null) {
            return new IOException("cannot write: the TLS session ended with an alert: " + alert.getMessage(), alert);
        }
        return new IOException("the peer closed the " + engine.getSession().getProtocol()
                + " session with close_notify, which in TLS 1.2 ends both directions: this side cannot write"
                + " any more (TLS 1.3 would have kept it open)");
    }

    /**
     * Sends what an unwrap left for the peer, if the write lock is free; a
     * writer holding it does so itself after unlocking. Runs on the reader's
     * thread or the writer's.
     */
    private void sendWantedWraps() throws IOException {
        while (wrapWanted && writeLock.tryLock()) {
            try {
                wrapWanted = false;
                if (closed) {
                    return;
                }
                for (int i = 0; i < 8 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                    SSLEngineResult r = engine.wrap(NOTHING, netOut);
                    if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                        runTasks();
                    }
                    if (r.bytesProduced() == 0) {
                        break; // NEED_WRAP with nothing to say: TLS 1.3 after close_notify received
                    }
                }
                flushNetOut();
            } finally {
                releaseWriteIfClosed();
                writeLock.unlock();
            }
        }
    }

    private void flushNetOut() throws IOException {
        netOut.flip();
        try {
            while (netOut.hasRemaining()) {
                channel.write(netOut);
            }
        } finally {
            netOut.clear();
        }
    }

    private void growNetOut(int packet) {
        netOut = ByteBuffer.allocate(Math.max(packet, netOut.capacity() * 2));
        netOut.clear();
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run(); // certificate checks: on this thread, bounded by the idle or handshake timeout
        }
    }

    // ---------------------------------------------------------------- closing

    /** Sends close_notify and half-closes TCP; see the class comment for TLS 1.2. */
    @Override
    public void shutdownOutput() throws IOException {
        writeLock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (outputShut) {
                return;
            }
            outputShut = true;
            engine.closeOutbound();
            for (int i = 0; i < 8 && !engine.isOutboundDone(); i++) {
                SSLEngineResult r = engine.wrap(NOTHING, netOut);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
            flushNetOut();
            channel.shutdownOutput();
        } finally {
            releaseWriteIfClosed();
            writeLock.unlock();
        }
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
        if (!readLock.tryLock()) {
            return;
        }
        try {
            if (!writeLock.tryLock()) {
                return;
            }
            try {
                if (netIn == null || !channel.isOpen()) {
                    return;
                }
                channel.configureBlocking(false);
                for (int i = 0; i < 16; i++) { // bounded: a peer streaming at full speed cannot hold close
                    netIn.clear();
                    if (channel.read(netIn) <= 0) {
                        break;
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // best effort: the close that follows is what matters
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public void abort() {
        closed = true;
        try {
            if (channel.isOpen()) {
                // linger 0: close sends RST and drops unsent data instead of a graceful FIN
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException ignored) {
            // closing already; the close below is what matters
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // abort is best effort by contract
        }
        releaseIfIdle();
    }

    /** Gives the buffers back if no reader or writer is inside; one that is does so on its way out. */
    private void releaseIfIdle() {
        if (readLock.tryLock()) {
            try {
                releaseReadIfClosed();
            } finally {
                readLock.unlock();
            }
        }
        if (writeLock.tryLock()) {
            try {
                releaseWriteIfClosed();
            } finally {
                writeLock.unlock();
            }
        }
    }

    /** Drops both sides' buffers once closed (for the garbage collector); the caller holds both locks. */
    private void releaseIfClosed() {
        releaseReadIfClosed();
        releaseWriteIfClosed();
    }

    /** Releases the read side's buffers once closed; the caller holds the read lock. */
    private void releaseReadIfClosed() {
        if (closed) {
            if (netIn != null) {
                netIn = null;
            }
            if (appIn != null) {
                appIn = null;
            }
        }
    }

    /** Releases the write side's buffer once closed; the caller holds the write lock. */
    private void releaseWriteIfClosed() {
        if (closed && netOut != null) {
            netOut = null;
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
