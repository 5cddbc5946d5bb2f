package dev.frameconn.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the results: a contender in one workload setting, with one value
 * per measured round for each figure ({@code mb_per_s}, {@code p50_us}, ...),
 * or the reason it was skipped.
 */
final class Measurement {
    /** Figure names, as in the JSON. */
    static final String MB_PER_S = "mb_per_s";
    static final String FRAMES_PER_S = "frames_per_s";
    static final String SPREAD = "spread";
    static final String P50_US = "p50_us";
    static final String P99_US = "p99_us";
    /** Ping-pong: CPU both ends' threads used during the round, % of one core (frameconn rows only). */
    static final String CPU_PCT = "cpu_pct";
    static final String ROUND_TRIPS_PER_S = "round_trips_per_s";
    /** Transfer workload: user + system CPU seconds of both processes (or of this JVM) per GiB moved. */
    static final String CPU_S_PER_GIB = "cpu_s_per_gib";
    /** Transfer workload, frameconn rows: sender process start to its first data frame at a listener. */
    static final String STARTUP_MS = "startup_ms";

    final Workload workload;
    final Impl impl;
    /** Null in the transfer workload, which has no modes. */
    final Mode mode;
    final int payload;
    final int connections;
    /** Ping-pong only: whether the process was pinned to one CPU; null for other workloads. */
    final Boolean pinned;
    final String threads;
    /** Transfer workload: the file size moved per round; 0 elsewhere. */
    final long bytes;
    private final Map<String, List<Double>> series = new LinkedHashMap<>();
    private String skipped;

    Measurement(Workload workload, Impl impl, Mode mode, int payload, int connections, Boolean pinned,
            String threads) {
        this.workload = workload;
        this.impl = impl;
        this.mode = mode;
        this.payload = payload;
        this.connections = connections;
        this.pinned = pinned;
        this.threads = threads;
        this.bytes = 0;
    }

    /** A row of the transfer workload: {@code impl} moving {@code bytes} per round. */
    Measurement(Impl impl, long bytes) {
        this.workload = Workload.TRANSFER;
        this.impl = impl;
        this.mode = null;
        this.payload = 0;
        this.connections = 1;
        this.pinned = null;
        this.threads = "";
        this.bytes = bytes;
    }

    /** Records a measured transfer round. */
    void add(TransferResult result) {
        add(MB_PER_S, result.mbPerSecond());
        add(FRAMES_PER_S, result.framesPerSecond());
        if (workload == Workload.CONNECTIONS) {
            add(SPREAD, result.spread());
        }
    }

    /** Records a measured ping-pong round. */
    void add(PingPongResult result) {
        add(P50_US, result.p50Nanos() / 1e3);
        add(P99_US, result.p99Nanos() / 1e3);
        add(ROUND_TRIPS_PER_S, result.roundTripsPerSecond());
        if (result.cpuPercent() >= 0) {
            add(CPU_PCT, result.cpuPercent());
        }
    }

    void add(String figure, double value) {
        series.computeIfAbsent(figure, k -> new ArrayList<>()).add(value);
    }

    void skip(String reason) {
        skipped = reason;
    }

    /** Why this row has no figures, or null. */
    String skipped() {
        return skipped;
    }

    /** The figures measured, in the order first recorded. */
    Map<String, List<Double>> series() {
        return series;
    }

    /** Number of measured rounds. */
    int rounds() {
        return series.values().stream().mapToInt(List::size).max().orElse(0);
    }

    /** Median, min and max of a figure, or null if it was not measured. */
    Summary summary(String figure) {
        List<Double> values = series.get(figure);
        return values == null || values.isEmpty() ? null : Summary.of(values);
    }

    /** True if this row is the same setting as {@code other} (all but impl and mode). */
    boolean sameSetting(Measurement other) {
        return workload == other.workload && payload == other.payload && connections == other.connections
                && java.util.Objects.equals(pinned, other.pinned);
    }

    /** Median, minimum and maximum over the measured rounds. */
    record Summary(double median, double min, double max) {
        static Summary of(List<Double> values) {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(sorted);
            int n = sorted.length;
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            return new Summary(median, sorted[0], sorted[n - 1]);
        }
    }
}
