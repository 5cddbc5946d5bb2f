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

    /** Starts with every total at zero. */
    public InMemoryMetrics() {
    }

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

    /**
     * Frames handed to readers.
     *
     * @return the number of frames read
     */
    public long framesRead() {
        return framesRead.sum();
    }

    /**
     * Payload bytes handed to readers.
     *
     * @return the number of payload bytes read
     */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /**
     * Frames accepted by writes (see {@link FrameConnMetrics#frameWritten}).
     *
     * @return the number of frames written
     */
    public long framesWritten() {
        return framesWritten.sum();
    }

    /**
     * Payload bytes of the frames accepted by writes.
     *
     * @return the number of payload bytes written
     */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /**
     * Shutdowns ended.
     *
     * @return the number of shutdowns
     */
    public long shutdowns() {
        return shutdowns.sum();
    }

    /**
     * Total time spent in shutdowns, in nanoseconds.
     *
     * @return the shutdown time in nanoseconds
     */
    public long shutdownNanos() {
        return shutdownNanos.sum();
    }

    /**
     * Drains ended.
     *
     * @return the number of drains
     */
    public long drains() {
        return drains.sum();
    }

    /**
     * Total time spent draining, in nanoseconds.
     *
     * @return the drain time in nanoseconds
     */
    public long drainNanos() {
        return drainNanos.sum();
    }

    /**
     * Bytes discarded while draining.
     *
     * @return the bytes discarded
     */
    public long drainBytes() {
        return drainBytes.sum();
    }

    /**
     * Hard closes counted under {@code step}.
     *
     * @param step the shutdown step
     * @return the number of hard closes at {@code step}
     */
    public long hardCloses(ShutdownStep step) {
        return hardCloses.get(step).sum();
    }

    /**
     * Close errors counted under {@code step}.
     *
     * @param step the shutdown step
     * @return the number of close errors at {@code step}
     */
    public long closeErrors(ShutdownStep step) {
        return closeErrors.get(step).sum();
    }

    /**
     * All hard closes, any step.
     *
     * @return the number of hard closes
     */
    public long hardCloses() {
        return hardCloses.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * All close errors, any step.
     *
     * @return the number of close errors
     */
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
