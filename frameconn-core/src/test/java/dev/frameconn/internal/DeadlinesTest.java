package dev.frameconn.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.FrameTimeoutException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The timeout logic on a manual clock: no sleeping on the clock, only waits for the timer thread. */
@Timeout(60)
class DeadlinesTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final ManualClock clock = new ManualClock();
    private final CompletableFuture<Kind> fired = new CompletableFuture<>();
    private final Deadlines deadlines = new Deadlines(clock, 10 * SECOND, fired::complete);

    @Test
    void idleConnectionCannotExpireBeforeAWholePeriod() {
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(10 * SECOND);
    }

    @Test
    void readExpiresAfterTheIdleTimeoutWithoutProgress() {
        deadlines.stop(); // the logic alone: the early look below must not queue a timer that races this test
        deadlines.beginRead();
        clock.advance(9 * SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(SECOND);
        assertThat(deadlines.expire(clock.nanoTime())).isNull();
        clock.advance(SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isLessThanOrEqualTo(0);
        assertThat(deadlines.expire(clock.nanoTime())).isEqualTo(Kind.READ_IDLE);
        assertThat(deadlines.expiredIdleNanos()).isEqualTo(10 * SECOND);
        assertThat(deadlines.expire(clock.nanoTime())).as("fires at most once").isNull();
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
        assertThat(deadlines.expire(clock.nanoTime())).isEqualTo(Kind.WRITE_IDLE);
        deadlines.stop();
    }

    @Test
    void switchedOffIdleTimeoutLeavesOnlyTheDeadline() {
        deadlines.setIdleTimeout(0);
        deadlines.beginRead();
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(Long.MAX_VALUE);
        deadlines.setDeadline(clock.nanoTime() + 3 * SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isEqualTo(3 * SECOND);
        clock.advance(3 * SECOND);
        assertThat(deadlines.expire(clock.nanoTime())).isEqualTo(Kind.DEADLINE);
        assertThat(deadlines.expiredIdleNanos()).as("a deadline names no idle timeout").isZero();
        deadlines.stop();
    }

    @Test
    void idleTimeoutExpiringBeforeTheDeadlineIsNamedAsIdle() {
        deadlines.stop(); // the logic alone, as readExpiresAfterTheIdleTimeoutWithoutProgress
        assertThat(clock.nanoTime()).as("large positive clock: now + deadline would not look passed")
                .isGreaterThan(100 * SECOND);
        deadlines.setDeadline(clock.nanoTime() + 60 * SECOND);
        deadlines.beginRead();
        clock.advance(10 * SECOND);
        assertThat(deadlines.expire(clock.nanoTime())).isEqualTo(Kind.READ_IDLE);
        assertThat(deadlines.expiredIdleNanos()).isEqualTo(10 * SECOND);
    }

    @Test
    void writeIdleRunningOutWhileAReadHasJustBegunIsNamedAsWrite() {
        deadlines.stop();
        deadlines.beginWrite();
        clock.advance(10 * SECOND);
        deadlines.beginRead(); // a read begins the moment the write's idle clock runs out
        assertThat(deadlines.expire(clock.nanoTime())).isEqualTo(Kind.WRITE_IDLE);
        assertThat(deadlines.expiredIdleNanos()).isEqualTo(10 * SECOND);
    }

    @Test
    void deadlineExpiresEvenWithoutAnOperation() {
        deadlines.setDeadline(clock.nanoTime() + SECOND);
        clock.advance(SECOND);
        assertThat(deadlines.remainingNanos(clock.nanoTime())).isLessThanOrEqualTo(0);
        deadlines.stop();
    }

    @Test
    void expiryThatRacedWithProgressDoesNotFire() {
        deadlines.beginRead();
        clock.advance(10 * SECOND);
        long seenByTimer = clock.nanoTime();
        deadlines.endRead(); // returned just after the timer thread read the clock
        assertThat(deadlines.expire(seenByTimer)).isNull();
        assertThat(fired).isNotDone();
        deadlines.stop();
    }

    @Test
    void timerThreadFiresOnTheManualClock() throws Exception {
        deadlines.start();
        try {
            deadlines.beginRead();
            clock.advance(11 * SECOND);
            assertThat(Waits.get(fired)).isEqualTo(Kind.READ_IDLE);
            assertThat(deadlines.armed()).as("a fired connection leaves no timer").isFalse();
        } finally {
            deadlines.stop();
        }
    }

    @Test
    void progressReArmsTheTimerForTheRemainderInsteadOfExpiring() throws Exception {
        long t0 = clock.nanoTime();
        deadlines.start();
        try {
            deadlines.beginRead();
            assertThat(deadlines.armed()).isTrue();
            clock.advance(9 * SECOND);
            deadlines.endRead();   // progress at t0 + 9 s: the read expires at t0 + 19 s now
            deadlines.beginRead();
            clock.advance(2 * SECOND); // t0 + 11 s: the timer queued for t0 + 10 s is due
            TimerQueue.of(clock).wakeup();
            Waits.until(() -> deadlines.armed() && deadlines.armedFor() == t0 + 19 * SECOND,
                    "the timer re-armed itself for the remainder, t0 + 19 s");
            assertThat(fired).isNotDone();
            clock.advance(8 * SECOND); // t0 + 19 s
            assertThat(Waits.get(fired)).isEqualTo(Kind.READ_IDLE);
        } finally {
            deadlines.stop();
        }
    }

    @Test
    void ioDoesNotTouchTheQueue() {
        deadlines.start();
        try {
            long armedFor = timerDeadline();
            for (int i = 0; i < 1000; i++) {
                clock.advance(1_000_000);
                deadlines.beginRead();
                deadlines.endRead();
                deadlines.beginWrite();
                deadlines.renewWrite();
                deadlines.endWrite();
            }
            assertThat(timerDeadline()).as("per-I/O calls only write fields").isEqualTo(armedFor);
        } finally {
            deadlines.stop();
        }
    }

    @Test
    void shorterTimeoutOrDeadlineArmsEarlierAndStopLeavesNothingQueued() {
        long t0 = clock.nanoTime();
        deadlines.start();
        assertThat(timerDeadline()).isEqualTo(t0 + 10 * SECOND);
        deadlines.setIdleTimeout(4 * SECOND);
        assertThat(timerDeadline()).isEqualTo(t0 + 4 * SECOND);
        deadlines.setDeadline(t0 + SECOND);
        assertThat(timerDeadline()).isEqualTo(t0 + SECOND);
        deadlines.stop();
        assertThat(deadlines.armed()).isFalse();
        deadlines.start(); // a stopped connection is not watched again
        assertThat(deadlines.armed()).isFalse();
    }

    /**
     * Issue 10: 10,000 connections with random deadlines on one manual clock. The
     * clock moves in steps; after each step exactly the connections whose deadline
     * has passed have expired, every one with DEADLINE, none twice.
     */
    @Test
    void manyConnectionsExpireInOrderOfTheirDeadlines() throws Exception {
        long seed = System.nanoTime();
        System.out.println("DeadlinesTest.manyConnectionsExpireInOrderOfTheirDeadlines seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        int n = 10_000;
        int steps = 50;
        long t0 = clock.nanoTime();
        long[] deadlineOf = new long[n];
        ConcurrentHashMap<Integer, Kind> expired = new ConcurrentHashMap<>();
        AtomicInteger twice = new AtomicInteger();
        List<Deadlines> conns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            Deadlines d = new Deadlines(clock, 0, (Kind kind) -> {
                if (expired.put(id, kind) != null) {
                    twice.incrementAndGet();
                }
            });
            deadlineOf[i] = t0 + 1 + random.nextLong(steps * SECOND);
            d.start();
            d.setDeadline(deadlineOf[i]);
            d.beginRead(); // an operation in progress changes nothing with no idle timeout
            conns.add(d);
        }
        try {
            for (int step = 1; step <= steps; step++) {
                clock.advance(SECOND);
                long now = clock.nanoTime();
                int due = 0;
                for (long at : deadlineOf) {
                    if (at - now <= 0) {
                        due++;
                    }
                }
                int expect = due;
                TimerQueue.of(clock).wakeup();
                Waits.until(() -> expired.size() >= expect, "step " + step + ": " + expect + " expired");
                // a later connection firing early would show here
                for (int i = 0; i < n; i++) {
                    boolean shouldHave = deadlineOf[i] - now <= 0;
                    if (!shouldHave) {
                        assertThat(expired).as("seed=%d step=%d: connection %d expired early", seed, step, i)
                                .doesNotContainKey(i);
                    }
                }
                assertThat(expired).as("seed=%d step=%d", seed, step).hasSize(expect);
            }
            assertThat(expired.values()).containsOnly(Kind.DEADLINE);
            assertThat(twice).hasValue(0);
        } finally {
            conns.forEach(Deadlines::stop);
        }
        assertThat(TimerQueue.of(clock).size()).isZero();
    }

    private long timerDeadline() {
        assertThat(deadlines.armed()).as("armed").isTrue();
        return deadlines.armedFor();
    }
}
