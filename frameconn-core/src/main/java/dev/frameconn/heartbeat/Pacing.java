package dev.frameconn.heartbeat;

/**
 * What the heartbeat pacer decides at one look at the clock, as arithmetic
 * over times passed in: whether a heartbeat is due, whether a stall clock
 * expired, and how long until something could be due next. No threads: the
 * mechanism that runs the looks ({@link PacerTimer}, a timer in the clock's
 * timer queue) calls {@link #look} and carries out the result. Guarded by the
 * caller's lock.
 *
 * <pre>
 *   WATCHING --a stall clock expired--> STALLED    (reported once; the connection is closed)
 *   either   --the connection stops---> (no more looks)
 *   heartbeats: due at every look with now - lastWrite >= sendInterval, in either state
 * </pre>
 */
final class Pacing {
    /**
     * One look's result.
     *
     * @param heartbeatDue nothing was written for the send interval
     * @param stall the direction that just stalled (reported once), or null
     * @param waitNanos nanoseconds until the next look is needed
     */
    record Look(boolean heartbeatDue, StreamStalledException.Direction stall, long waitNanos) {
    }

    private final long intervalNanos;
    private final StallClocks clocks;
    private boolean stalled;

    Pacing(long intervalNanos, StallClocks clocks) {
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("intervalNanos=" + intervalNanos + " must be > 0");
        }
        this.intervalNanos = intervalNanos;
        this.clocks = clocks;
    }

    /** The stall clocks this pacing watches. */
    StallClocks clocks() {
        return clocks;
    }

    /** True once a stall was reported. */
    boolean stalled() {
        return stalled;
    }

    /**
     * One look at {@code now}, the last write (application frame or
     * heartbeat) having begun at {@code lastWrite}.
     */
    Look look(long now, long lastWrite) {
        long next = lastWrite + intervalNanos - now;
        boolean due = next <= 0;
        if (due) {
            next = intervalNanos; // the heartbeat about to go out is the last write then
        }
        StreamStalledException.Direction stall = null;
        if (!stalled && clocks.enabled()) {
            stall = clocks.expired(now);
            if (stall != null) {
                stalled = true;
            } else {
                next = Math.min(next, clocks.nanosUntilExpiry(now));
            }
        }
        return new Look(due, stall, next);
    }
}
