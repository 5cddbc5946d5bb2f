package dev.frameconn.bench.jmh;

import dev.frameconn.FrameTimeoutException;
import dev.frameconn.internal.Deadlines;
import dev.frameconn.internal.TimerQueue;
import dev.frameconn.time.Ticker;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one timer operation against the number of timers queued (one per
 * connection): it should grow like log n, not like n. {@code watchdogScan} is the
 * comparison: what the old watchdog did on every wake-up, a look at every
 * connection's timeouts.
 *
 * <p>The timers sit on the system clock an hour or more ahead, so the timer
 * thread sleeps and the benchmark thread alone touches the heap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimerQueueBenchmark {
    private static final long HOUR = TimeUnit.HOURS.toNanos(1);
    private static final int PICKS = 1 << 16;

    @Param({"100", "10000", "1000000"})
    public int timers;

    private final List<TimerQueue.Timer> queued = new ArrayList<>();
    private final Set<Deadlines> connections = new HashSet<>();
    private long[] deadlines;
    private int[] picks;
    private int next;
    private long base;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        TimerQueue queue = TimerQueue.of(Ticker.system());
        base = System.nanoTime() + HOUR;
        for (int i = 0; i < timers; i++) {
            queued.add(queue.schedule(base + random.nextLong(HOUR), (t, now) -> {}));
        }
        picks = new int[PICKS];
        deadlines = new long[PICKS];
        for (int i = 0; i < PICKS; i++) {
            picks[i] = random.nextInt(timers);
            deadlines[i] = base + random.nextLong(HOUR);
        }
        if (timers <= 10_000) { // the scan baseline: connections with an idle timeout, not started
            for (int i = 0; i < timers; i++) {
                Deadlines d = new Deadlines(Ticker.system(), TimeUnit.SECONDS.toNanos(60), (FrameTimeoutException.Kind kind) -> {});
                d.beginRead();
                connections.add(d);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        queued.forEach(TimerQueue.Timer::close);
        queued.clear();
    }

    /** Moves one timer to another time (a connection's timeout re-armed). */
    @Benchmark
    public boolean reschedule() {
        int i = next++ & (PICKS - 1);
        return queued.get(picks[i]).reschedule(deadlines[i]);
    }

    /** Takes one timer off and queues it again (a connection closing, another opening). */
    @Benchmark
    public boolean cancelAndSchedule() {
        int i = next++ & (PICKS - 1);
        TimerQueue.Timer t = queued.get(picks[i]);
        t.cancel();
        return t.reschedule(deadlines[i]);
    }

    /** The lazy re-arm when the timer is already early enough: no heap change. */
    @Benchmark
    public boolean rescheduleIfEarlierNoChange() {
        int i = next++ & (PICKS - 1);
        return queued.get(picks[i]).rescheduleIfEarlier(base + 2 * HOUR);
    }

    /** What the removed watchdog did per wake-up: every connection's remaining time (up to 10,000). */
    @Benchmark
    public long watchdogScan() {
        if (connections.isEmpty()) {
            return 0;
        }
        long now = System.nanoTime();
        long min = Long.MAX_VALUE;
        for (Deadlines d : connections) {
            // a lower bound of the old cost: one volatile read per connection where it read five
            min = Math.min(min, d.idleTimeoutNanos() + now);
        }
        return min;
    }
}
