package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.internal.Deadlines;
import dev.frameconn.time.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The timeout logic on a manual clock: no sleeping, no real time. */
class DeadlinesTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** A clock that moves only when told to. */
    static final class ManualTicker implements Ticker {
        private final AtomicLong now = new AtomicLong(1_000 * SECOND);

        @Override
        public long nanoTime() {
            return now.get();
        }

        void advance(long nanos) {
            now.addAndGet(nanos);
        }
    }

    private final ManualTicker clock = new ManualTicker();
    private final CompletableFuture<Integer> fired = new CompletableFuture<>();
    private final Deadlines deadlines = new Deadlines(clock, 10 * SECOND, fired::complete);

    @Test
    void idleConnectionCannotExpireBeforeAWholePeriod() {
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(10 * SECOND);
    }

    @Test
    void readExpiresAfterTheIdleTimeoutWithoutProgress() {
        deadlines.beginRead();
        clock.advance(9 * SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(SECOND);
        clock.advance(SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isLessThanOrEqualTo(0);
        deadlines.expire(clock.nanoTime());
        assertThat(fired).isCompletedWithValue(Deadlines.READ_IDLE);
    }

    @Test
    void progressMovesTheExpiry() {
        deadlines.beginRead();
        clock.advance(9 * SECOND);
        deadlines.endRead();   // the call returned with bytes
        deadlines.beginRead(); // and the next one starts now
        clock.advance(9 * SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(SECOND);
    }

    @Test
    void renewWriteActsOnlyOnAWriteInProgress() {
        deadlines.renewWrite();
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(10 * SECOND);
        deadlines.beginWrite();
        clock.advance(8 * SECOND);
        deadlines.renewWrite();
        clock.advance(8 * SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(2 * SECOND);
        clock.advance(2 * SECOND);
        deadlines.expire(clock.nanoTime());
        assertThat(fired).isCompletedWithValue(Deadlines.WRITE_IDLE);
    }

    @Test
    void switchedOffIdleTimeoutLeavesOnlyTheDeadline() {
        deadlines.setIdleTimeout(0);
        deadlines.beginRead();
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(Long.MAX_VALUE);
        deadlines.setDeadline(clock.nanoTime() + 3 * SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(3 * SECOND);
        clock.advance(3 * SECOND);
        assertThat(deadlines.deadlinePassed(clock.nanoTime())).isTrue();
        deadlines.expire(clock.nanoTime());
        assertThat(fired).isCompletedWithValue(Deadlines.DEADLINE);
    }

    @Test
    void deadlineExpiresEvenWithoutAnOperation() {
        deadlines.setDeadline(clock.nanoTime() + SECOND);
        clock.advance(SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isLessThanOrEqualTo(0);
    }

    @Test
    void expiryThatRacedWithProgressDoesNotFire() {
        deadlines.beginRead();
        clock.advance(10 * SECOND);
        long seenByWatchdog = clock.nanoTime();
        deadlines.endRead(); // returned just after the watchdog looked
        deadlines.expire(seenByWatchdog);
        assertThat(fired).isNotDone();
        deadlines.stop();
    }

    @Test
    void watchdogThreadFiresOnTheManualClock() throws Exception {
        deadlines.start();
        try {
            deadlines.beginRead();
            clock.advance(11 * SECOND);
            assertThat(fired.get(10, TimeUnit.SECONDS)).isEqualTo(Deadlines.READ_IDLE);
        } finally {
            deadlines.stop();
        }
    }
}
