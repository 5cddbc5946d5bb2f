package dev.frameconn.tls;

import dev.frameconn.internal.TimerQueue;
import dev.frameconn.time.Ticker;
import dev.frameconn.tls.TlsHandshakeException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;

/**
 * The first handshake of one {@link TlsTransport}, within a timeout: it
 * drives the engine until the session is established, or fails with a
 * {@link TlsHandshakeException} that says why and leaves the socket closed.
 * It holds the transport's read and write locks throughout, so no record I/O
 * runs beside it.
 *
 * <pre>
 *  handshake(timeout): both locks taken, timer armed
 *        |
 *        v                     engine status    what the handshake does
 *  +-----------+  <---------+  NEED_WRAP        wrap a flight into netOut, send it
 *  |  RUNNING  |            |  NEED_UNWRAP(_AGAIN) unwrap; on underflow read the socket
 *  |           | -----------+                   (the first bytes must look like TLS)
 *  +-----------+               NEED_TASK        run the delegated tasks (certificate
 *    |   |   |                                  checks) on this thread
 *    |   |   |
 *    |   |   +-- the timer fires first: RUNNING -> EXPIRED (compare-and-set), the socket
 *    |   |       is aborted (RST), the blocked read/write wakes ------------> TIMEOUT
 *    |   |
 *    |   +------ the engine or the socket fails: our alert, if the engine has one,
 *    |           then FIN ---------------------------------> reason by HandshakeFailures
 *    |
 *    +---------- FINISHED / NOT_HANDSHAKING, and RUNNING -> FINISHED (compare-and-set)
 *                wins over the timer: established; on TLS 1.2 every later handshake
 *                (renegotiation) is refused by the record reader and writer
 * </pre>
 *
 * The outcome is decided once, by whichever of the handshake and the timer
 * sets it first, so a late timer never kills a finished handshake and a
 * handshake that finishes after its timer fired still fails as a timeout.
 */
final class TlsHandshake {
    /** Who decided the handshake, if anyone yet: the handshake thread and the timer race for it. */
    enum Outcome {
        /** Neither has decided yet. */
        RUNNING,
        /** The handshake finished in time; the timer, if it fires now, does nothing. */
        FINISHED,
        /** The timer fired first and aborted the socket; the handshake fails as a timeout. */
        EXPIRED
    }

    private static final int RECORD_HANDSHAKE = 0x16;
    private static final int RECORD_ALERT = 0x15;

    private final TlsTransport transport;
    private final TlsRecordReader reader;
    private final TlsRecordWriter writer;
    private final SSLEngine engine;
    private final AtomicReference<Outcome> outcome = new AtomicReference<>(Outcome.RUNNING);
    /** Ciphertext bytes received; written by the handshake thread only, read after it failed. */
    private long bytesIn;

    TlsHandshake(TlsTransport transport, TlsRecordReader reader, TlsRecordWriter writer) {
        this.transport = transport;
        this.reader = reader;
        this.writer = writer;
        this.engine = transport.engine();
    }

    /**
     * Runs the whole handshake within {@code timeout}. On failure the socket is
     * closed (after our alert, if the engine has one for the peer) and the
     * failure is a {@link TlsHandshakeException} saying why.
     */
    void run(Duration timeout) throws TlsHandshakeException {
        reader.lock.lock();
        writer.lock.lock();
        Runnable cancelTimer = startTimer(this::expire, timeout);
        boolean done = false;
        try {
            if (transport.isClosed()) {
                // a server's close() may abort a transport before its handshake starts; its buffers are gone
                throw new ClosedChannelException();
            }
            engine.beginHandshake();
            drive();
            if (!outcome.compareAndSet(Outcome.RUNNING, Outcome.FINISHED)) {
                throw new ClosedChannelException(); // the timer fired first and closed the socket
            }
            transport.established();
            done = true;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SSLException) {
                sendAlert();
            }
            throw HandshakeFailures.classify(e, this, timeout);
        } finally {
            cancelTimer.run();
            if (!done && !transport.isClosed()) {
                // FIN after our alert, if any, so that the peer can read it; a timeout has aborted already
                try {
                    transport.close();
                } catch (IOException ignored) {
                    // the handshake's failure is what the caller needs
                }
            }
            reader.releaseIfClosed();
            writer.releaseIfClosed();
            writer.lock.unlock();
            reader.lock.unlock();
        }
    }

    /**
     * Arms the timer that calls {@code expire} after {@code timeout}, and
     * returns what cancels it: a timer of the process's one timer structure
     * ({@link TimerQueue}) on the system clock, the same heap that bounds every
     * connection's reads and writes. The expiry runs on a virtual thread of its
     * own, because aborting a socket may block.
     */
    private static Runnable startTimer(Runnable expire, Duration timeout) {
        Ticker clock = Ticker.system();
        TimerQueue.Timer timer = TimerQueue.of(clock)
                .schedule(clock.nanoTime() + timeout.toNanos(), TimerQueue.offThread(expire));
        return timer::close;
    }

    private void expire() {
        if (outcome.compareAndSet(Outcome.RUNNING, Outcome.EXPIRED)) {
            transport.abort();
        }
    }

    boolean timedOut() {
        return outcome.get() == Outcome.EXPIRED;
    }

    long bytesIn() {
        return bytesIn;
    }

    java.net.SocketAddress peer() {
        return transport.remoteAddress();
    }

    /** Steps the engine until it has finished: the loop inside RUNNING in the class comment. */
    private void drive() throws IOException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_WRAP -> {
                    SSLEngineResult r = writer.wrapControl();
                    if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                        writer.growNetOut(engine.getSession().getPacketBufferSize()); // a flight over 64 KiB
                        continue;
                    }
                    writer.flushNetOut();
                    if (r.getStatus() == Status.CLOSED && r.bytesProduced() == 0) {
                        throw new SSLException("engine closed during the handshake");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    SSLEngineResult r = reader.unwrapHandshake();
                    if (r.getStatus() == Status.BUFFER_UNDERFLOW) {
                        if (fill() < 0) {
                            throw new TlsHandshakeException(Reason.PEER_CLOSED, peer(),
                                    HandshakeFailures.closedHint(bytesIn), null);
                        }
                    } else if (r.getStatus() == Status.BUFFER_OVERFLOW) {
                        reader.growAppIn();
                    } else if (r.getStatus() == Status.CLOSED) {
                        throw new TlsHandshakeException(Reason.PEER_CLOSED, peer(),
                                "peer closed the TLS session during the handshake", null);
                    }
                }
                case NEED_TASK -> transport.runTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
                default -> throw new SSLException("unexpected handshake status=" + hs);
            }
        }
    }

    /** Reads ciphertext, counting it; the peer's very first bytes must look like a TLS record. */
    private int fill() throws IOException {
        int n = reader.fillNetIn();
        if (n > 0) {
            if (bytesIn == 0) {
                checkLooksLikeTls(reader.netIn());
            }
            bytesIn += n;
        }
        return n;
    }

    /** After a handshake failure the engine may hold an alert for the peer; send it, best effort. */
    private void sendAlert() {
        try {
            writer.discardPending();
            for (int i = 0; i < 4 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                if (writer.wrapControl().bytesProduced() == 0) {
                    break;
                }
            }
            writer.flushNetOut();
        } catch (IOException | RuntimeException ignored) {
            // the alert is a courtesy; the failure itself is reported to our caller
        }
    }

    /** Refuses bytes that are not TLS, naming the first at most 8 of them as hex. */
    private void checkLooksLikeTls(ByteBuffer netIn) throws TlsHandshakeException {
        int at = netIn.position();
        int first = netIn.get(at) & 0xff;
        boolean tls = (first == RECORD_HANDSHAKE || first == RECORD_ALERT)
                && (netIn.remaining() < 2 || netIn.get(at + 1) == 0x03);
        if (!tls) {
            byte[] head = new byte[Math.min(8, netIn.remaining())];
            netIn.get(at, head);
            throw new TlsHandshakeException(Reason.NOT_TLS, peer(), "peer sent bytes="
                    + HexFormat.ofDelimiter(" ").formatHex(head) + ", which are not a TLS record"
                    + HandshakeFailures.plainHint(head), null);
        }
    }
}
