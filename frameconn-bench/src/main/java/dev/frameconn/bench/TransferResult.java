package dev.frameconn.bench;

/**
 * The figures of one checked transfer round: per connection, the payload bytes
 * and frames its receiver got, the time from the round's start to the receiver
 * seeing the end of the stream ({@code elapsedNanos}, for the aggregate), and
 * the time from its sender's first write to that end ({@code activeNanos}, for
 * the spread: a sender the scheduler started late is not counted as slow for
 * the time it could not send).
 */
@SuppressWarnings("ArrayRecordComponent") // one slot per connection, read by index; never compared
public record TransferResult(int payload, long[] bytes, long[] frames, long[] elapsedNanos, long[] activeNanos) {

    /** The round's length: until the last receiver saw its end of stream. */
    public long roundNanos() {
        long max = 0;
        for (long e : elapsedNanos) {
            max = Math.max(max, e);
        }
        return max;
    }

    /** Payload bytes over all connections. */
    public long totalBytes() {
        long sum = 0;
        for (long b : bytes) {
            sum += b;
        }
        return sum;
    }

    /** Frames over all connections. */
    public long totalFrames() {
        long sum = 0;
        for (long f : frames) {
            sum += f;
        }
        return sum;
    }

    /** Aggregate payload throughput in MB/s (10^6 bytes per second). */
    public double mbPerSecond() {
        return totalBytes() * 1e3 / roundNanos();
    }

    /** Aggregate frames per second. */
    public double framesPerSecond() {
        return totalFrames() * 1e9 / roundNanos();
    }

    /** Slowest connection's throughput over its active time divided by the fastest's: 1 is perfectly even. */
    public double spread() {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int i = 0; i < bytes.length; i++) {
            double rate = (double) bytes[i] / activeNanos[i];
            min = Math.min(min, rate);
            max = Math.max(max, rate);
        }
        return max == 0 ? 0 : min / max;
    }
}
