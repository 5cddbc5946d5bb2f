package dev.frameconn.bench;

import java.util.Arrays;

/**
 * One ping-pong round: round-trip percentiles (nearest rank), how many round trips were made, and
 * the CPU both ends' threads used, as a percentage of one core ({@code -1}: not measured).
 */
public record PingPongResult(long p50Nanos, long p99Nanos, long roundTrips, long elapsedNanos, double cpuPercent) {

    /**
     * Summarises the first {@code count} samples (round trips in ns); sorts them in place.
     *
     * @throws BenchmarkFailure if there are none
     */
    public static PingPongResult of(String who, long[] samples, int count, long elapsedNanos) {
        if (count <= 0) {
            throw new BenchmarkFailure(who + ": no round trip completed");
        }
        Arrays.sort(samples, 0, count);
        return new PingPongResult(percentile(samples, count, 50), percentile(samples, count, 99), count,
                elapsedNanos, -1);
    }

    /** This result with the CPU time {@code cpuNanos} both ends used over {@code overNanos} of round trips. */
    public PingPongResult withCpu(long cpuNanos, long overNanos) {
        return new PingPongResult(p50Nanos, p99Nanos, roundTrips, elapsedNanos,
                cpuNanos < 0 || overNanos <= 0 ? -1 : 100.0 * cpuNanos / overNanos);
    }

    /**
     * Checks the echo side's books, then summarises as {@link #of}: the echo side
     * must not have failed and must have answered exactly {@code count} frames.
     *
     * @throws BenchmarkFailure if the echo side failed, answered a different number of frames, or there are no
     *         samples
     */
    public static PingPongResult checked(String who, long[] samples, int count, long elapsedNanos, long echoed,
            Throwable echoFailure) {
        if (echoFailure != null) {
            throw new BenchmarkFailure(who + ": echo side failed: " + echoFailure, echoFailure);
        }
        if (echoed != count) {
            throw new BenchmarkFailure(who + ": client made round trips=" + count
                    + " but the echo side answered frames=" + echoed);
        }
        return of(who, samples, count, elapsedNanos);
    }

    /** The nearest-rank percentile {@code p} (1..100) of sorted {@code samples[0..count)}. */
    static long percentile(long[] sorted, int count, int p) {
        int rank = (int) Math.ceil(p / 100.0 * count);
        return sorted[Math.max(0, rank - 1)];
    }

    /** Round trips per second. */
    public double roundTripsPerSecond() {
        return roundTrips * 1e9 / elapsedNanos;
    }
}
