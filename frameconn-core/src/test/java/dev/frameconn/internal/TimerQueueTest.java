package dev.frameconn.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.time.Ticker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The heap, its thread and its handles, on a manual clock per test (so a queue of its own). */
@Timeout(60)
class TimerQueueTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final ManualClock clock = new ManualClock();
    private final TimerQueue queue = TimerQueue.of(clock);

    /** What one fire saw. */
    private record Fired(int id, long deadline, long now) {}

    /**
     * 10,000 timers with random deadlines, a tenth cancelled and a tenth moved; the
     * clock moves in steps. Each step fires exactly the timers now due, in the
     * order of their deadlines, each once; the cancelled never fire.
     */
    @Test
    void manyTimersFireInDeadlineOrderAndCancelledOnesNever() {
        long seed = System.nanoTime();
        System.out.println("TimerQueueTest.manyTimersFireInDeadlineOrderAndCancelledOnesNever seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        int n = 10_000;
        int steps = 40;
        long t0 = clock.nanoTime();
        List<Fired> fired = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Long> expected = new HashMap<>();
        List<TimerQueue.Timer> timers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            long at = t0 + 1 + random.nextLong(steps * SECOND);
            timers.add(queue.schedule(at, (t, now) -> fired.add(new Fired(id, t.deadlineNanos(), now))));
            expected.put(id, at);
        }
        for (int i = 0; i < n; i++) {
            int what = random.nextInt(10);
            if (what == 0) {
                assertThat(timers.get(i).cancel()).isTrue();
                expected.remove(i);
            } else if (what == 1) {
                long at = t0 + 1 + random.nextLong(steps * SECOND);
                assertThat(timers.get(i).reschedule(at)).isTrue();
                expected.put(i, at);
            }
        }
        assertThat(queue.size()).isEqualTo(expected.size());
        for (int step = 1; step <= steps; step++) {
            clock.advance(SECOND);
            long now = clock.nanoTime();
            long due = expected.values().stream().filter(at -> at - now <= 0).count();
            queue.wakeup();
            Waits.until(() -> fired.size() >= due, "step " + step + ": " + due + " fired");
            assertThat(fired).as("seed=%d step=%d: a timer not yet due fired", seed, step).hasSize((int) due);
        }
        List<Fired> seen;
        synchronized (fired) {
            seen = new ArrayList<>(fired);
        }
        assertThat(seen).hasSize(expected.size());
        for (int i = 0; i < seen.size(); i++) {
            Fired f = seen.get(i);
            assertThat(f.deadline()).as("seed=%d: timer %d fired with its own deadline", seed, f.id())
                    .isEqualTo(expected.get(f.id()));
            assertThat(f.now() - f.deadline()).as("seed=%d: fired before its deadline", seed).isNotNegative();
            if (i > 0) {
                assertThat(f.deadline() - seen.get(i - 1).deadline())
                        .as("seed=%d: fire %d out of deadline order", seed, i).isNotNegative();
            }
        }
        assertThat(seen.stream().map(Fired::id).distinct().count()).as("each once").isEqualTo(seen.size());
        assertThat(queue.size()).isZero();
    }

    @Test
    void cancelAndRescheduleMoveOneEntry() {
        long t0 = clock.nanoTime();
        AtomicInteger count = new AtomicInteger();
        TimerQueue.Timer t = queue.schedule(t0 + 10 * SECOND, (self, now) -> count.incrementAndGet());
        assertThat(t.isScheduled()).isTrue();
        assertThat(t.deadlineNanos()).isEqualTo(t0 + 10 * SECOND);

        assertThat(t.rescheduleIfEarlier(t0 + 20 * SECOND)).isTrue();
        assertThat(t.deadlineNanos()).as("a later time leaves it").isEqualTo(t0 + 10 * SECOND);
        assertThat(t.rescheduleIfEarlier(t0 + 5 * SECOND)).isTrue();
        assertThat(t.deadlineNanos()).isEqualTo(t0 + 5 * SECOND);
        assertThat(t.reschedule(t0 + 30 * SECOND)).isTrue();
        assertThat(t.deadlineNanos()).as("reschedule also moves it later").isEqualTo(t0 + 30 * SECOND);
        assertThat(queue.size()).as("one entry per timer, however often it moves").isEqualTo(1);

        assertThat(t.cancel()).isTrue();
        assertThat(t.cancel()).as("already off the queue").isFalse();
        assertThat(t.isScheduled()).isFalse();
        clock.advance(60 * SECOND);
        firedInOrderAfter(queue); // timers fire in deadline order: a cancelled one would have fired first
        assertThat(count).hasValue(0);

        assertThat(t.reschedule(clock.nanoTime() + SECOND)).as("a cancelled timer can be queued again").isTrue();
        clock.advance(SECOND);
        Waits.until(() -> count.get() == 1, "the rescheduled timer fired");
        assertThat(t.isScheduled()).as("a fired timer is off the queue").isFalse();

        t.close();
        assertThat(t.reschedule(clock.nanoTime())).as("a closed timer refuses").isFalse();
        assertThat(t.rescheduleIfEarlier(clock.nanoTime())).isFalse();
        assertThat(t.cancel()).isFalse();
        assertThat(queue.size()).isZero();
    }

    @Test
    void closeTakesAQueuedTimerOffForGood() {
        AtomicInteger count = new AtomicInteger();
        TimerQueue.Timer t = queue.schedule(clock.nanoTime() + SECOND, (self, now) -> count.incrementAndGet());
        t.close();
        assertThat(t.isScheduled()).isFalse();
        assertThat(queue.size()).isZero();
        clock.advance(2 * SECOND);
        firedInOrderAfter(queue);
        assertThat(count).hasValue(0);
    }

    @Test
    void cancelAfterCloseDoesNotReopenTheTimer() {
        TimerQueue.Timer t = queue.schedule(clock.nanoTime() + SECOND, (self, now) -> { });
        t.close();
        assertThat(t.cancel()).as("a closed timer is not queued").isFalse();
        assertThat(t.reschedule(clock.nanoTime() + SECOND)).as("still closed after a cancel").isFalse();
        assertThat(t.rescheduleIfEarlier(clock.nanoTime())).isFalse();
        assertThat(t.isScheduled()).isFalse();
        assertThat(queue.size()).isZero();
    }

    @Test
    void periodicActionReArmsItself() {
        long period = SECOND;
        AtomicInteger count = new AtomicInteger();
        TimerQueue.Timer t = queue.schedule(clock.nanoTime() + period, (self, now) -> {
            count.incrementAndGet();
            self.reschedule(now + period);
        });
        try {
            for (int i = 1; i <= 5; i++) {
                clock.advance(period);
                int expect = i;
                Waits.until(() -> count.get() == expect, "fire " + i);
                Waits.until(t::isScheduled, "re-armed after fire " + i);
            }
        } finally {
            t.close();
        }
        assertThat(count).hasValue(5);
    }

    @Test
    void actionThatThrowsDoesNotStopTheOthers() throws Exception {
        long now0 = clock.nanoTime();
        CompletableFuture<Long> second = new CompletableFuture<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        CompletableFuture<Throwable> reported = new CompletableFuture<>();
        Thread.setDefaultUncaughtExceptionHandler((th, e) -> reported.complete(e));
        try {
            queue.schedule(now0 + SECOND, (t, now) -> {
                throw new IllegalStateException("boom=1");
            });
            queue.schedule(now0 + 2 * SECOND, (t, now) -> second.complete(now));
            clock.advance(2 * SECOND);
            assertThat(Waits.get(second)).isEqualTo(now0 + 2 * SECOND);
            assertThat(Waits.get(reported)).hasMessage("boom=1");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    /**
     * On the system clock (no polling): the thread sleeps until a deadline an hour
     * away, yet ends as soon as that last timer is cancelled; a new timer starts a
     * new thread. The core's tests leave the system queue empty between tests
     * (Fixtures checks the thread ended), so this test owns it.
     */
    @Test
    void threadStartsWithTheFirstTimerAndEndsWhenTheLastGoes() throws Exception {
        TimerQueue system = TimerQueue.of(Ticker.system());
        assertThat(system).isSameAs(TimerQueue.of(Ticker.system()));
        long now = System.nanoTime();
        TimerQueue.Timer far = system.schedule(now + TimeUnit.HOURS.toNanos(1), (t, n) -> {});
        Thread first = Waits.get(threadOf(system));
        assertThat(first.getName()).isEqualTo(TimerQueue.THREAD_NAME);
        assertThat(first.isDaemon()).isTrue();
        assertThat(first.isAlive()).as("a queued timer keeps the thread").isTrue();
        far.cancel();
        first.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(first.isAlive()).as("thread ended with the last timer").isFalse();

        Thread second = Waits.get(threadOf(system));
        assertThat(second).isNotSameAs(first);
        second.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(second.isAlive()).as("thread ended after the last timer fired").isFalse();
    }

    /** A manual clock jumps without telling anyone: the thread looks every 5 ms of real time all the same. */
    @Test
    void jumpOfTheManualClockIsNoticedWithoutAWakeUp() {
        CompletableFuture<Long> fired = new CompletableFuture<>();
        long at = clock.nanoTime() + TimeUnit.HOURS.toNanos(1);
        queue.schedule(at, (t, now) -> fired.complete(now));
        sleepMillis(20); // the thread is asleep now, with an hour to go on the manual clock
        clock.advance(TimeUnit.HOURS.toNanos(1));
        assertThat(Waits.get(fired)).isEqualTo(at);
    }

    @Test
    void oneQueuePerClock() {
        assertThat(TimerQueue.of(clock)).isSameAs(queue);
        assertThat(TimerQueue.of(new ManualClock())).isNotSameAs(queue);
        assertThat(queue.ticker()).isSameAs(clock);
    }

    /**
     * Queues a sentinel due now and waits for it: timers fire one at a time in
     * deadline order, so every timer due before it that was still queued has
     * fired by the time it does. A bounded wait instead of a sleep.
     */
    private static void firedInOrderAfter(TimerQueue q) {
        CompletableFuture<Long> sentinel = new CompletableFuture<>();
        q.schedule(q.ticker().nanoTime(), (t, now) -> sentinel.complete(now));
        Waits.get(sentinel);
    }

    /** The thread that runs the queue's timers, as seen by an action due now. */
    private static CompletableFuture<Thread> threadOf(TimerQueue q) {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        q.schedule(q.ticker().nanoTime(), (t, now) -> thread.complete(Thread.currentThread()));
        return thread;
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
