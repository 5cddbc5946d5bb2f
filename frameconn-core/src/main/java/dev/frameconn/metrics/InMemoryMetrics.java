package dev.frameconn.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link FrameConnMetrics} that keeps totals in memory: for tools, tests, and
 * applications without a metrics system. Thread-safe; reads are snapshots of
 * independent counters, not one atomic picture.
 */
public final class InMemoryMetrics implements FrameConnMetrics {
    private final LongAdder framesRead = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder framesWritten = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder shutdowns = new LongAdder();
    private final LongAdder shutdownNanos = new LongAdder();
    private final LongAdder drains = new LongAdder();
    private final LongAdder drainNanos = new LongAdder();
    private final LongAdder drainBytes = new LongAdder();
    private final Map<ShutdownStep, LongAdder> hardCloses = counters();
    private final Map<ShutdownStep, LongAdder> closeErrors = counters();

    private static Map<ShutdownStep, LongAdder> counters() {
        Map<ShutdownStep, LongAdder> map = new EnumMap<>(ShutdownStep.class);
        for (ShutdownStep step : ShutdownStep.values()) {
            map.put(step, new LongAdder());
        }
        return map;
    }

    @Override
    public void frameRead(int type, int payloadLength) {
        framesRead.increment();
        bytesRead.add(payloadLength);
    }

    @Override
    public void frameWritten(int type, int payloadLength) {
        framesWritten.increment();
        bytesWritten.add(payloadLength);
    }

    @Override
    public void shutdownCompleted(long nanos) {
        shutdowns.increment();
        shutdownNanos.add(nanos);
    }

    @Override
    public void shutdownDrained(long nanos, long bytes) {
        drains.increment();
        drainNanos.add(nanos);
        drainBytes.add(bytes);
    }

    @Override
    public void shutdownHardClose(ShutdownStep step) {
        hardCloses.get(step).increment();
    }

    @Override
    public void shutdownCloseError(ShutdownStep step) {
        closeErrors.get(step).increment();
    }

    /** Frames handed to readers. */
    public long framesRead() {
        return framesRead.sum();
    }

    /** Payload bytes handed to readers. */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Frames accepted by writes (see {@link FrameConnMetrics#frameWritten}). */
    public long framesWritten() {
        return framesWritten.sum();
    }

    /** Payload bytes of the frames accepted by writes. */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** Shutdowns ended. */
    public long shutdowns() {
        return shutdowns.sum();
    }

    /** Total time spent in shutdowns, in nanoseconds. */
    public long shutdownNanos() {
        return shutdownNanos.sum();
    }

    /** Drains ended. */
    public long drains() {
        return drains.sum();
    }

    /** Total time spent draining, in nanoseconds. */
    public long drainNanos() {
        return drainNanos.sum();
    }

    /** Bytes discarded while draining. */
    public long drainBytes() {
        return drainBytes.sum();
    }

    /** Hard closes counted under {@code step}. */
    public long hardCloses(ShutdownStep step) {
        return hardCloses.get(step).sum();
    }

    /** Close errors counted under {@code step}. */
    public long closeErrors(ShutdownStep step) {
        return closeErrors.get(step).sum();
    }

    /** All hard closes, any step. */
    public long hardCloses() {
        return hardCloses.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** All close errors, any step. */
    public long closeErrors() {
        return closeErrors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public String toString() {
        return "framesRead=" + framesRead() + " bytesRead=" + bytesRead()
                + " framesWritten=" + framesWritten() + " bytesWritten=" + bytesWritten()
                + " shutdowns=" + shutdowns() + " shutdownNanos=" + shutdownNanos()
                + " drainNanos=" + drainNanos() + " drainBytes=" + drainBytes()
                + " hardCloses=" + hardCloses() + " closeErrors=" + closeErrors();
    }
}
