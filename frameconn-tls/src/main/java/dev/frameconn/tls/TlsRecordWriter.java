package dev.frameconn.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The write side of a {@link TlsTransport}: the caller's plaintext encrypted
 * into {@code netOut} and sent. Every {@code wrap} and every socket write
 * happens under {@link #lock}, so records leave in the order the engine made
 * them; {@code netOut} is empty between calls.
 *
 * <p>An unwrap on the reader's side can leave something for the peer after
 * the handshake: a TLS 1.3 KeyUpdate answer, or, on TLS 1.2, the close_notify
 * answer. The reader then calls {@link #wrapWanted()}, which sends it if it
 * can take the lock at once; if a writer holds it, that writer sends it, since
 * every writer checks the flag after unlocking. So a reader never waits
 * behind a writer blocked on a peer that does not read.
 */
final class TlsRecordWriter {
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    final ReentrantLock lock = new ReentrantLock();
    private final TlsTransport transport;
    private final SSLEngine engine;
    private final SocketChannel channel;

    private ByteBuffer netOut;
    private final ByteBuffer[] single = new ByteBuffer[1];
    private boolean outputShut;
    /**
     * The session's packet buffer size, taken again after the handshake: the
     * JDK computes it under a session lock, which a write per frame need not take.
     */
    private int packetSize;
    private volatile boolean wrapWanted;

    TlsRecordWriter(TlsTransport transport, SSLEngine engine, SocketChannel channel) {
        this.transport = transport;
        this.engine = engine;
        this.channel = channel;
        packetSize = engine.getSession().getPacketBufferSize();
        netOut = ByteBuffer.allocate(TlsTransport.RECORDS_PER_WRITE * packetSize);
        netOut.clear();
    }

    /** Takes the session's sizes after the handshake; fixed from then on (no renegotiation). */
    void established() {
        packetSize = engine.getSession().getPacketBufferSize();
    }

    int write(ByteBuffer src) throws IOException {
        lock.lock();
        try {
            single[0] = src;
            return (int) write(single, 0, 1);
        } finally {
            single[0] = null;
            lock.unlock();
        }
    }

    /**
     * Encrypts as many records of {@code srcs} as fit one ciphertext buffer
     * ({@link TlsTransport#RECORDS_PER_WRITE}; header and payload of a frame
     * share records) and sends them: each call is a unit of progress for the
     * idle timeout.
     */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        lock.lock();
        try {
            if (transport.isClosed() || outputShut) {
                throw transport.closedFailure();
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
            boolean refuseHandshakes = transport.refusesHandshakes();
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
                if (refuseHandshakes && TlsTransport.isHandshaking(hs) && !engine.isInboundDone()) {
                    // (after the peer's close_notify, TLS 1.2's engine wants to wrap its answer: not a handshake)
                    throw transport.refuseRenegotiation("the engine started a new handshake (status=" + hs
                            + ") while this side wrote");
                }
                if (hs == HandshakeStatus.NEED_TASK) {
                    transport.runTasks();
                } else if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    throw new SSLException("TLS renegotiation is not supported (handshake status=" + hs
                            + " after the handshake)");
                }
            }
            flushNetOut();
            return consumed;
        } catch (ClosedChannelException e) {
            // a refused renegotiation aborted the socket under us
            throw transport.refusedRenegotiation() ? transport.closedFailure() : e;
        } finally {
            releaseIfClosed();
            lock.unlock();
            sendWantedWraps();
        }
    }

    /**
     * TLS 1.3: sends a KeyUpdate that asks the peer to update its keys too, as
     * the JDK does by itself after its key limits. For tests of the
     * post-handshake path, where the peer's reader must answer.
     */
    void requestKeyUpdate() throws IOException {
        lock.lock();
        try {
            if (transport.isClosed() || outputShut) {
                throw new ClosedChannelException();
            }
            if (transport.refusesHandshakes()) {
                throw new IllegalStateException("protocol=" + engine.getSession().getProtocol()
                        + " has no KeyUpdate: beginHandshake would start a renegotiation");
            }
            engine.beginHandshake(); // after a TLS 1.3 handshake: a KeyUpdate, not a new handshake
            for (int i = 0; i < 8 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                if (wrapControl().bytesProduced() == 0) {
                    break;
                }
            }
            flushNetOut();
        } finally {
            releaseIfClosed();
            lock.unlock();
        }
    }

    /** Sends close_notify and half-closes TCP; see {@link TlsTransport} for TLS 1.2. */
    void shutdownOutput() throws IOException {
        lock.lock();
        try {
            if (transport.isClosed()) {
                throw new ClosedChannelException();
            }
            if (outputShut) {
                return;
            }
            outputShut = true;
            engine.closeOutbound();
            for (int i = 0; i < 8 && !engine.isOutboundDone(); i++) {
                if (wrapControl().bytesProduced() == 0) {
                    break;
                }
            }
            flushNetOut();
            channel.shutdownOutput();
        } finally {
            releaseIfClosed();
            lock.unlock();
        }
    }

    private IOException outboundClosed() {
        if (outputShut) {
            return new ClosedChannelException();
        }
        IOException alert = transport.fatalAlert();
        if (alert != null) {
            return new IOException("cannot write: the TLS session ended with an alert: " + alert.getMessage(), alert);
        }
        return new IOException("the peer closed the " + engine.getSession().getProtocol()
                + " session with close_notify, which in TLS 1.2 ends both directions: this side cannot write"
                + " any more (TLS 1.3 would have kept it open)");
    }

    /** The reader left something for the peer: send it now if the lock is free, else the writer inside will. */
    void wrapWanted() throws IOException {
        wrapWanted = true;
        sendWantedWraps();
    }

    /**
     * Sends what an unwrap left for the peer, if the lock is free; a writer
     * holding it does so itself after unlocking. Runs on the reader's thread
     * or the writer's.
     */
    private void sendWantedWraps() throws IOException {
        while (wrapWanted && lock.tryLock()) {
            try {
                wrapWanted = false;
                if (transport.isClosed()) {
                    return;
                }
                for (int i = 0; i < 8 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                    SSLEngineResult r = wrapControl();
                    if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                        transport.runTasks();
                    }
                    if (r.bytesProduced() == 0) {
                        break; // NEED_WRAP with nothing to say: TLS 1.3 after close_notify received
                    }
                }
                flushNetOut();
            } finally {
                releaseIfClosed();
                lock.unlock();
            }
        }
    }

    /** Wraps no application data: a handshake message, an alert or another control record. */
    SSLEngineResult wrapControl() throws SSLException {
        return engine.wrap(NOTHING, netOut);
    }

    /** Forgets records made but not sent (after a failure, before the alert). */
    void discardPending() {
        netOut.clear();
    }

    void flushNetOut() throws IOException {
        netOut.flip();
        try {
            while (netOut.hasRemaining()) {
                channel.write(netOut);
            }
        } finally {
            netOut.clear();
        }
    }

    void growNetOut(int packet) {
        netOut = ByteBuffer.allocate(Math.max(packet, netOut.capacity() * 2));
        netOut.clear();
    }

    /** Drops the buffer once the transport is closed (for the garbage collector); the caller holds the lock. */
    void releaseIfClosed() {
        if (transport.isClosed()) {
            netOut = null;
        }
    }
}
