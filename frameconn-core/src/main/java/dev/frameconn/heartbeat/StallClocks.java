package dev.frameconn.heartbeat;

/**
 * The two stall clocks of a {@link HeartbeatConn} (its "Stall clocks" section
 * says what they count): arithmetic over times the caller passes in, read from
 * its {@link dev.frameconn.time.Ticker}. No threads, no lock of its own; the
 * caller guards it with one lock. With a stall timeout of zero nothing ever
 * expires.
 *
 * <p>Each clock, per direction:
 * <pre>
 *               first wait (receive) / first write or flush (send) begins:
 *               origin = now - count
 *   STANDING  ----------------------------------------------------------->  RUNNING
 *   (count)   <-----------------------------------------------------------  (origin)
 *               last one under way ends: count = now - origin, or 0 if it made progress
 *
 *   progress (payload bytes moved): count = 0, and a running clock restarts at now
 *   expired:  RUNNING and now - origin >= stallTimeout (a standing clock never expires)
 * </pre>
 * A running clock keeps its origin (now minus the time counted so far), so
 * that reading it costs one subtraction; a standing one keeps the count.
 */
final class StallClocks {
    private static final long STANDING = Long.MIN_VALUE;

    private final long stallNanos;

    private int waitingReaders;
    private long receiveOrigin = STANDING;
    private long receiveCount;

    private int sendsInProgress;
    private long sendOrigin = STANDING;
    private long sendCount;
    /** A write accepted payload bytes that no flush begun since has pushed out. */
    private boolean payloadUnflushed;

    /** @param stallNanos the stall timeout in nanoseconds; 0 switches stall detection off */
    StallClocks(long stallNanos) {
        if (stallNanos < 0) {
            throw new IllegalArgumentException("stallNanos=" + stallNanos + " must be >= 0");
        }
        this.stallNanos = stallNanos;
    }

    /** False with a stall timeout of zero: nothing expires, and the send clock need not be kept. */
    boolean enabled() {
        return stallNanos > 0;
    }

    // ---------------------------------------------------------------- receiving

    /** A reader begins to wait: the receive clock runs on from where it stood. */
    void readWaitBegins(long now) {
        if (waitingReaders++ == 0) {
            receiveOrigin = now - receiveCount;
        }
    }

    /**
     * A reader stops waiting. {@code payload}: it took a frame with payload
     * bytes. A frame without them ends the wait but not the count, since a peer
     * could trickle such frames for ever.
     */
    void readWaitEnds(long now, boolean payload) {
        if (--waitingReaders == 0) {
            receiveCount = payload ? 0 : now - receiveOrigin;
            receiveOrigin = STANDING;
        }
    }

    /** Whether a reader waits now: only then does {@link #payloadArrived} need the time. */
    boolean readersWaiting() {
        return waitingReaders > 0;
    }

    /** Payload bytes arrived: the receive clock starts over, for whoever waits or will. */
    void payloadArrived(long now) {
        receiveCount = 0;
        if (waitingReaders > 0) {
            receiveOrigin = now;
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * An application write ({@code flush} false) or flush begins: the send
     * clock runs on from where it stood until the last one under way ends. For
     * a flush, returns whether a write accepted payload bytes since the last
     * flush began: only then can this flush's return be progress.
     */
    boolean sendBegins(long now, boolean flush) {
        boolean unflushed = payloadUnflushed;
        if (flush) {
            payloadUnflushed = false;
        }
        if (sendsInProgress++ == 0) {
            sendOrigin = now - sendCount;
        }
        return unflushed;
    }

    /**
     * A write or flush ended. {@code progress}: payload bytes were accepted (a
     * write) or handed to the operating system (a flush), so the clock starts
     * over, also for another write or flush still under way; {@code accepted}:
     * a write accepted payload bytes that a later flush may still push out.
     */
    void sendEnds(long now, boolean progress, boolean accepted) {
        if (progress) {
            sendOrigin = now;
        }
        if (accepted) {
            payloadUnflushed = true;
        }
        if (--sendsInProgress == 0) {
            sendCount = now - sendOrigin;
            sendOrigin = STANDING;
        }
    }

    // ---------------------------------------------------------------- reading the clocks

    /** Nanoseconds on the receive clock at {@code now}. */
    long receiveClock(long now) {
        return receiveOrigin == STANDING ? receiveCount : now - receiveOrigin;
    }

    /** Nanoseconds on the send clock at {@code now}. */
    long sendClock(long now) {
        return sendOrigin == STANDING ? sendCount : now - sendOrigin;
    }

    /** The direction whose clock has reached the stall timeout at {@code now} (send first), or null. */
    StreamStalledException.Direction expired(long now) {
        if (stallNanos == 0) {
            return null;
        }
        if (sendOrigin != STANDING && now - sendOrigin >= stallNanos) {
            return StreamStalledException.Direction.SEND;
        }
        if (receiveOrigin != STANDING && now - receiveOrigin >= stallNanos) {
            return StreamStalledException.Direction.RECEIVE;
        }
        return null;
    }

    /**
     * Nanoseconds from {@code now} until a clock could expire: the least left
     * on a running clock; a standing one cannot expire before now + the stall
     * timeout (starting it again is an event its caller reports).
     * {@link Long#MAX_VALUE} when stall detection is off.
     */
    long nanosUntilExpiry(long now) {
        if (stallNanos == 0) {
            return Long.MAX_VALUE;
        }
        long send = sendOrigin == STANDING ? stallNanos : sendOrigin + stallNanos - now;
        long receive = receiveOrigin == STANDING ? stallNanos : receiveOrigin + stallNanos - now;
        return Math.min(send, receive);
    }

    /** Whether a clock could expire before {@code when}, for a watcher that next looks then. */
    boolean mayExpireBefore(long now, long when) {
        return nanosUntilExpiry(now) < when - now;
    }
}
