package dev.frameconn.bench;

import java.util.concurrent.TimeUnit;

/** Small helpers shared by the contenders. */
final class Bench {
    /** Slack a round gets beyond its duration to drain and close before it counts as hung. */
    static final long ROUND_SLACK_NANOS = TimeUnit.SECONDS.toNanos(60);

    private Bench() {}

    /** Room for every round trip a round can make (one per 2 µs at most), capped at 16 M samples. */
    static long[] sampleArray(long durationNanos) {
        long wanted = durationNanos / 2_000 + 1024;
        return new long[(int) Math.min(16L << 20, wanted)];
    }

    /** Closes, ignoring failures: for tear-down after a round or a failure. */
    static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // tear-down: the round's outcome is already decided
        }
    }

    /** Joins a helper thread of a round, failing loudly if it hangs. */
    static void join(Thread thread, String who) throws InterruptedException {
        if (!thread.join(java.time.Duration.ofNanos(ROUND_SLACK_NANOS))) {
            throw new BenchmarkFailure(who + ": thread " + thread.getName() + " did not finish within "
                    + ROUND_SLACK_NANOS / 1_000_000_000 + " s");
        }
    }
}
