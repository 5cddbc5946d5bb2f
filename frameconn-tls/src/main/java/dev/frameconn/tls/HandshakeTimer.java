package dev.frameconn.tls;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds handshakes in time: one daemon thread for the process, started on
 * first use and ended after a second without handshakes. A handshake that
 * outlives its timeout has its socket aborted, which wakes it wherever it blocks.
 */
final class HandshakeTimer {
    private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1,
            r -> Thread.ofPlatform().daemon().name("frameconn-tls-handshake-timer").unstarted(r));

    static {
        TIMER.setRemoveOnCancelPolicy(true); // a finished handshake leaves nothing queued
        TIMER.setKeepAliveTime(1, TimeUnit.SECONDS);
        TIMER.allowCoreThreadTimeOut(true);
    }

    private HandshakeTimer() {}

    /** Runs {@code expire} after {@code timeout} unless the returned action cancels it first. */
    static Runnable start(Runnable expire, Duration timeout) {
        ScheduledFuture<?> scheduled = TIMER.schedule(expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return () -> scheduled.cancel(false);
    }
}
