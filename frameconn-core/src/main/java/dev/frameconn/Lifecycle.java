package dev.frameconn;

import dev.frameconn.ConnectionShutdownException.Initiator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The shutdown state of one connection: the one place its state machine is
 * drawn. The read path, the write path and error translation ask it; the
 * {@link ShutdownSequence} drives it.
 *
 * <pre>
 *                 RST read (Inbound)
 *   OPEN ----------------------------------&gt; SHUTTING_DOWN(PEER)
 *    |                                            |
 *    | shutdown(): begin()                        | shutdown(): begin()
 *    v                                            v
 *   SHUTTING_DOWN(LOCAL) --steps, finish()--&gt; CLOSED &lt;--steps, finish()-- (PEER)
 *
 *   OPEN or SHUTTING_DOWN --close(): begin(), closed, finish()--&gt; CLOSED
 *
 *   field       OPEN    SHUTTING_DOWN(x)       CLOSED
 *   initiator   null    x                      x (LOCAL if close() came first)
 *   started     false   true once shutdown()   true
 *                       or close() began
 *   closed      false   false                  true
 * </pre>
 *
 * A timeout does not move the machine: the watchdog aborts the transport,
 * and the calls in progress fail saying why. In SHUTTING_DOWN new reads and
 * writes fail at once with {@link ConnectionShutdownException}; calls already
 * inside finish first. {@link #begin()} lets exactly one of
 * {@code shutdown()} and {@code close()} run; later callers
 * {@link #awaitResult() wait} for its result.
 */
final class Lifecycle {
    private volatile Initiator initiator;
    private volatile ShutdownReason peerReason;
    private volatile boolean peerRstSeen;
    private volatile boolean closed;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile ShutdownResult result;

    /** True once a shutdown began, here or at the peer. */
    boolean isShuttingDown() {
        return initiator != null;
    }

    /** Who began the shutdown, or null while OPEN. */
    Initiator initiator() {
        return initiator;
    }

    /** True once shutdown() or close() began. */
    boolean started() {
        return started.get();
    }

    /** True once the connection was closed by shutdown or close. */
    boolean isClosed() {
        return closed;
    }

    /** The reason in the peer's RST, or null. */
    ShutdownReason peerReason() {
        return peerReason;
    }

    /** True once an RST of the peer was read, by a reader or by the shutdown drain. */
    boolean peerRstSeen() {
        return peerRstSeen;
    }

    /** The failure of a call that comes in SHUTTING_DOWN or CLOSED. */
    ConnectionShutdownException shuttingDown() {
        Initiator by = initiator;
        return new ConnectionShutdownException(by == null ? Initiator.LOCAL : by, peerReason);
    }

    /** The failure of a call whose transport was closed under it, with the I/O error as cause. */
    ConnectionShutdownException closedUnder(Throwable cause) {
        Initiator by = initiator;
        return new ConnectionShutdownException(by == null ? Initiator.LOCAL : by, peerReason, cause);
    }

    /** OPEN → SHUTTING_DOWN(PEER): the reader read the peer's RST, with its reason or null. */
    ConnectionShutdownException peerSentRst(ShutdownReason reason) {
        peerReason = reason;
        peerRstSeen = true;
        if (initiator == null) {
            initiator = Initiator.PEER;
        }
        return shuttingDown();
    }

    /** The shutdown drain saw the peer's RST go by. */
    void peerRstDrained() {
        peerRstSeen = true;
    }

    /**
     * shutdown() or close() begins: true for the first caller only, which then
     * must call {@link #finish}. The initiator becomes LOCAL unless the peer's
     * RST came first.
     */
    boolean begin() {
        if (!started.compareAndSet(false, true)) {
            return false;
        }
        if (initiator == null) {
            initiator = Initiator.LOCAL;
        }
        return true;
    }

    /** → CLOSED: the transport is closed (or closing); readers give their buffer back on the way out. */
    void markClosed() {
        closed = true;
    }

    /** The first caller's result is known; later callers get it from {@link #awaitResult()}. */
    void finish(ShutdownResult outcome) {
        result = outcome;
        finished.countDown();
    }

    /** Waits, uninterruptibly, for the first shutdown() or close() to finish, and returns its result. */
    ShutdownResult awaitResult() {
        boolean interrupted = false;
        while (true) {
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result;
    }
}
