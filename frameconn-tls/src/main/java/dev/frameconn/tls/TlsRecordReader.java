package dev.frameconn.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The read side of a {@link TlsTransport}: ciphertext from the socket,
 * decrypted into the caller's buffer. It owns {@code netIn} (ciphertext
 * received, not yet decrypted) and {@code appIn} (plaintext decrypted, not yet
 * returned), both in read mode (unread bytes between position and limit) and
 * guarded by {@link #lock}.
 *
 * <p>Large reads decrypt straight into the caller's buffer; only the part of
 * a record that does not fit waits in {@code appIn}. The ciphertext buffer is
 * a heap buffer on purpose: see {@link TlsTransport}.
 *
 * <p>On an established TLS 1.2 session a handshake record is a renegotiation,
 * refused before the engine sees it (see {@link TlsTransport}, "No
 * renegotiation"). What an unwrap leaves for the peer (a KeyUpdate answer, a
 * close_notify answer) is handed to the {@link TlsRecordWriter}.
 */
final class TlsRecordReader {
    /** Content type (1), version (2), length (2). */
    private static final int RECORD_HEADER_LENGTH = 5;
    private static final int RECORD_HANDSHAKE = 0x16;

    final ReentrantLock lock = new ReentrantLock();
    private final TlsTransport transport;
    private final SSLEngine engine;
    private final SocketChannel channel;
    private TlsRecordWriter writer;

    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private final ByteBuffer[] unwrapTo = new ByteBuffer[2];
    private boolean inboundDone;
    /**
     * The session's application buffer size, taken again after the handshake
     * (the JDK computes it under a session lock, which a read per frame need not
     * take): a destination with this much room takes any record's plaintext whole.
     */
    private int appSize;

    TlsRecordReader(TlsTransport transport, SSLEngine engine, SocketChannel channel) {
        this.transport = transport;
        this.engine = engine;
        this.channel = channel;
        appSize = engine.getSession().getApplicationBufferSize();
        netIn = ByteBuffer.allocate(Math.max(TlsTransport.NET_BUFFER_SIZE, engine.getSession().getPacketBufferSize()));
        netIn.clear().limit(0);
        appIn = ByteBuffer.allocate(appSize);
        appIn.clear().limit(0);
    }

    /** The writer that sends what an unwrap leaves for the peer; set once, before any I/O. */
    void writer(TlsRecordWriter value) {
        writer = value;
    }

    /** Takes the session's sizes after the handshake; fixed from then on (no renegotiation). */
    void established() {
        appSize = engine.getSession().getApplicationBufferSize();
    }

    /**
     * Returns what is decrypted already, or decrypts: one record, waiting for
     * it if need be, then every further record that has arrived whole and fits
     * {@code dst} without spilling (a large destination takes all that one
     * socket read brought in a single call; none of them waits for more bytes).
     */
    int read(ByteBuffer dst) throws IOException {
        lock.lock();
        try {
            if (transport.isClosed()) {
                throw transport.closedFailure();
            }
            if (appIn.hasRemaining()) {
                int n = Math.min(appIn.remaining(), dst.remaining());
                dst.put(dst.position(), appIn, appIn.position(), n);
                dst.position(dst.position() + n);
                appIn.position(appIn.position() + n);
                return n;
            }
            boolean refuseHandshakes = transport.refusesHandshakes();
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
                    throw transport.refuseRenegotiation("the peer sent a handshake record (a ClientHello or"
                            + " HelloRequest: it asks for a renegotiation)");
                }
                int before = dst.position();
                SSLEngineResult r = unwrapInto(dst);
                delivered += dst.position() - before;
                switch (r.getStatus()) {
                    case OK -> {
                        if (refuseHandshakes && TlsTransport.isHandshaking(r.getHandshakeStatus())) {
                            throw transport.refuseRenegotiation("the engine started a new handshake (status="
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
            releaseIfClosed();
            lock.unlock();
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
            throw transport.failedAfterHandshake(e);
        } finally {
            unwrapTo[0] = null; // do not keep the caller's buffer reachable
            appIn.flip();
        }
    }

    private void afterUnwrap(HandshakeStatus hs) throws IOException {
        if (hs == HandshakeStatus.NEED_TASK) {
            transport.runTasks();
            hs = engine.getHandshakeStatus();
        }
        if (hs == HandshakeStatus.NEED_WRAP) {
            writer.wrapWanted();
        }
    }

    /** One unwrap for the handshake, into appIn (which it leaves in read mode). */
    SSLEngineResult unwrapHandshake() throws SSLException {
        appIn.compact();
        try {
            return engine.unwrap(netIn, appIn);
        } finally {
            appIn.flip();
        }
    }

    /** The ciphertext received and not decrypted yet, in read mode; for the handshake's first look. */
    ByteBuffer netIn() {
        return netIn;
    }

    /** Reads ciphertext into netIn; -1 at end of stream. */
    int fillNetIn() throws IOException {
        netIn.compact();
        if (!netIn.hasRemaining()) {
            growNetIn();
        }
        try {
            return channel.read(netIn);
        } finally {
            netIn.flip();
        }
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

    void growAppIn() {
        int size = Math.max(appIn.capacity() * 2, engine.getSession().getApplicationBufferSize());
        ByteBuffer bigger = ByteBuffer.allocate(size);
        bigger.clear();
        bigger.put(appIn);
        bigger.flip();
        appIn = bigger;
    }

    /**
     * Reads off, without waiting, what the socket has already received, so
     * that the close that follows sends FIN rather than RST (see
     * {@link TlsTransport#close()}). The caller holds both locks; best effort.
     */
    void discardArrived() {
        if (netIn == null || !channel.isOpen()) {
            return;
        }
        try {
            channel.configureBlocking(false);
            for (int i = 0; i < 16; i++) { // bounded: a peer streaming at full speed cannot hold close
                netIn.clear();
                if (channel.read(netIn) <= 0) {
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: the close that follows is what matters
        }
    }

    /** Drops the buffers once the transport is closed (for the garbage collector); the caller holds the lock. */
    void releaseIfClosed() {
        if (transport.isClosed()) {
            netIn = null;
            appIn = null;
        }
    }
}
