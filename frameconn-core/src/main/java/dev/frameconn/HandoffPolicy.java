package dev.frameconn;

import dev.frameconn.time.Ticker;

/**
 * When {@link Outbound} hands the writing to a background flusher, and when
 * that flusher lets go: every tuning decision of the write path, on the
 * connection's {@link Ticker}, so that a test can take each one under a
 * manual clock.
 *
 * <p>A hand-off pays only while a write costs more than waking a thread. So a
 * small-frame writer hands off when it is <em>streaming</em> (its last
 * {@link #STREAK} writes came back to back, within {@link #STREAMING_WINDOW_NANOS}
 * of the previous pen drop, and it read no frame in between), its own last
 * write took {@link #HANDOFF_MIN_WRITE_NANOS} or more, and no hold is in force.
 * A flusher whose writes come back cheaper than that {@link #CHEAP_WRITES_TO_QUIT}
 * times in a row quits and imposes a hold of {@link #HOLD_AFTER_QUIT} direct
 * writes, doubling with each such quit in a row up to {@link #MAX_HOLD_AFTER_QUIT}:
 * on a fast transport the callers write themselves, without thread wake-ups
 * (which the JDK pays for with an allocation).
 *
 * <p>Not thread-safe: the pen methods are called under {@code Outbound}'s lock,
 * the flusher methods by the flusher while it holds the pen.
 */
final class HandoffPolicy {
    /** Calls closer than this to the end of the previous write count as back to back: 2 µs. */
    static final long STREAMING_WINDOW_NANOS = 2_000;
    /** Back-to-back writes in a row before the writing is handed to a background thread. */
    static final int STREAK = 3;
    /**
     * Hand the writing to a background thread only if the last write took at
     * least this long (1 µs): a hand-off costs about that, so for a transport
     * whose writes are cheaper (in-memory) the caller writes itself.
     */
    static final long HANDOFF_MIN_WRITE_NANOS = 1_000;
    /**
     * How long a background flusher that caught up waits for more frames before
     * it lets go of the pen and ends: 50 µs. Starting a thread per catch-up
     * would cost more than the frames it carries.
     */
    static final long LINGER_NANOS = 50_000;
    /** Cheap flusher writes in a row (see {@link #HANDOFF_MIN_WRITE_NANOS}) after which it lets go. */
    static final int CHEAP_WRITES_TO_QUIT = 8;
    /** Direct writes before the next hand-off after a flusher quit for cheap writes; doubles per quit in a row. */
    static final int HOLD_AFTER_QUIT = 4096;
    /** The longest hold: 2^24 direct writes. */
    static final int MAX_HOLD_AFTER_QUIT = 1 << 24;

    private final Ticker ticker;
    private long penTaken;
    private long lastPenDrop;
    private int streak;
    /**
     * The {@linkplain Thread#threadId() id} of the thread that read a frame last,
     * until it writes, or 0; a plain field: a hint, not a guarantee. An id, not
     * the thread: a reader that ended (a heartbeat reader hands on to a fresh
     * thread) must not stay reachable from its connection.
     */
    private long readerSinceWrite;
    /** How long the last caller (not the background flusher) held the pen to write its frames itself. */
    private long lastWriteNanos;
    /** True while the background flusher holds the pen. */
    private boolean background;
    /** Direct writes to go before the next hand-off is allowed. */
    private int handoffHold;
    /** The hold the next quit imposes. */
    private int nextHold = HOLD_AFTER_QUIT;
    // the flusher's own
    private int cheapWrites;
    /** This flusher made a write slow enough to be worth handing off: the next quit holds briefly again. */
    private boolean slowWrite;

    HandoffPolicy(Ticker ticker) {
        this.ticker = ticker;
    }

    /** The pen was taken, by anyone. */
    void penTaken() {
        penTaken = ticker.nanoTime();
    }

    /**
     * The pen was dropped normally. A caller's hold of the pen is its write
     * time; the flusher's long hold says nothing about the caller's writes.
     */
    void penDropped() {
        lastPenDrop = ticker.nanoTime();
        if (background) {
            background = false;
        } else {
            lastWriteNanos = lastPenDrop - penTaken;
        }
    }

    /** The pen was lost to a failed write: no flusher holds it any more. */
    void penLost() {
        background = false;
    }

    /**
     * The calling thread just took the pen to write a small frame: true if it
     * should start a background flusher instead (the flusher then counts as
     * holding the pen), false if it writes itself.
     */
    boolean handOff() {
        boolean streaming = streaming();
        if (streaming && lastWriteNanos >= HANDOFF_MIN_WRITE_NANOS && handoffHold == 0) {
            background = true;
            return true;
        }
        if (handoffHold > 0) {
            handoffHold--;
        }
        return false;
    }

    /** No flusher thread could be started: the caller writes, as when idle. */
    void handOffFailed() {
        background = false;
    }

    /**
     * Is the caller streaming? Its last {@link #STREAK} writes came back to
     * back, and it read no frame in between. A thread that reads between
     * writes does request and response, where a hand-off would only add
     * latency; and on loopback a write call lasts nearly a round trip (it wakes
     * the reader inline), so the gap alone cannot tell the two apart.
     */
    private boolean streaming() {
        if (readerSinceWrite == Thread.currentThread().threadId()) {
            readerSinceWrite = 0;
            streak = 0;
        } else if (penTaken - lastPenDrop < STREAMING_WINDOW_NANOS) {
            streak++;
        } else {
            streak = 0;
        }
        return streak >= STREAK;
    }

    /** A frame was read on the calling thread: its next write answers it. */
    void noteRead() {
        readerSinceWrite = Thread.currentThread().threadId(); // ids are positive: never 0
    }

    /** A background flusher starts. */
    void flusherStarted() {
        cheapWrites = 0;
        slowWrite = false;
    }

    /** The clock, for {@link #flusherWrote(long)}. */
    long now() {
        return ticker.nanoTime();
    }

    /** The flusher finished a write that began at {@code began} ({@link #now()}). */
    void flusherWrote(long began) {
        if (ticker.nanoTime() - began < HANDOFF_MIN_WRITE_NANOS) {
            cheapWrites++;
        } else {
            cheapWrites = 0;
            slowWrite = true;
        }
    }

    /**
     * True if the flusher should let go once everything staged is written: its
     * writes were cheap. Imposes the hold on later hand-offs; ask once.
     */
    boolean flusherQuits() {
        if (cheapWrites < CHEAP_WRITES_TO_QUIT) {
            return false;
        }
        if (slowWrite) {
            nextHold = HOLD_AFTER_QUIT;
        }
        handoffHold = nextHold;
        nextHold = (int) Math.min(MAX_HOLD_AFTER_QUIT, 2L * nextHold);
        return true;
    }

    /** The end of a linger that starts now. */
    long lingerDeadline() {
        return ticker.nanoTime() + LINGER_NANOS;
    }

    /** Nanoseconds left until {@code deadline}; 0 or less once it has passed. */
    long left(long deadline) {
        return deadline - ticker.nanoTime();
    }

    /** Direct writes to go before a hand-off is allowed again. */
    int hold() {
        return handoffHold;
    }
}
