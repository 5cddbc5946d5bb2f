package dev.frameconn.micrometer;

import dev.frameconn.heartbeat.HeartbeatMetrics;
import dev.frameconn.heartbeat.StreamStalledException;
import dev.frameconn.metrics.FrameConnMetrics;
import dev.frameconn.metrics.ShutdownStep;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * frameconn's metrics SPIs ({@link FrameConnMetrics}, {@link HeartbeatMetrics})
 * reported to a Micrometer {@link MeterRegistry}. One instance serves any number
 * of connections; every meter is registered up front, so a scrape shows zeros
 * rather than nothing before the first event. Thread-safe.
 *
 * <p>Meters, by their Prometheus names with the default prefix {@code frameconn}
 * (the shutdown ones are zrepl's {@code zrepl_frameconn_*}, renamed):
 * <pre>
 *   frameconn_frames_read_total, frameconn_frames_written_total      frames
 *   frameconn_payload_read_bytes_total, frameconn_payload_written_bytes_total
 *   frameconn_shutdown_seconds                 summary: whole shutdown
 *   frameconn_shutdown_drain_seconds           summary: drain step
 *   frameconn_shutdown_drain_read_bytes        summary: bytes discarded while draining
 *   frameconn_shutdown_hard_closes_total{step} abortive closes, by failed step
 *   frameconn_shutdown_close_errors_total{step}
 *   frameconn_heartbeats_sent_total, frameconn_heartbeats_received_total
 *   frameconn_peer_timeouts_total, frameconn_stalls_total{direction}
 * </pre>
 */
public final class MicrometerMetrics implements FrameConnMetrics, HeartbeatMetrics {
    /** Default meter name prefix. */
    public static final String DEFAULT_PREFIX = "frameconn";

    private final Counter framesRead;
    private final Counter framesWritten;
    private final Counter bytesRead;
    private final Counter bytesWritten;
    private final Timer shutdown;
    private final Timer drain;
    private final DistributionSummary drainBytes;
    private final Map<ShutdownStep, Counter> hardCloses = new EnumMap<>(ShutdownStep.class);
    private final Map<ShutdownStep, Counter> closeErrors = new EnumMap<>(ShutdownStep.class);
    private final Counter heartbeatsSent;
    private final Counter heartbeatsReceived;
    private final Counter peerTimeouts;
    private final Map<StreamStalledException.Direction, Counter> stalls =
            new EnumMap<>(StreamStalledException.Direction.class);

    /**
     * Registers the meters under {@value #DEFAULT_PREFIX}.
     *
     * @param registry where the meters are registered
     */
    public MicrometerMetrics(MeterRegistry registry) {
        this(registry, DEFAULT_PREFIX);
    }

    /**
     * Registers the meters under {@code prefix} (dot-separated, e.g. {@code zrepl.frameconn}).
     *
     * @param registry where the meters are registered
     * @param prefix the meter name prefix
     */
    public MicrometerMetrics(MeterRegistry registry, String prefix) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isBlank()) {
            throw new IllegalArgumentException("prefix=\"" + prefix + "\" must not be blank");
        }
        framesRead = Counter.builder(prefix + ".frames.read").description("Frames handed to readers")
                .register(registry);
        framesWritten = Counter.builder(prefix + ".frames.written")
                .description("Frames accepted by writes: sent, or staged for the next gathering write")
                .register(registry);
        bytesRead = Counter.builder(prefix + ".payload.read").baseUnit("bytes")
                .description("Payload bytes handed to readers").register(registry);
        bytesWritten = Counter.builder(prefix + ".payload.written").baseUnit("bytes")
                .description("Payload bytes of the frames accepted by writes").register(registry);
        shutdown = Timer.builder(prefix + ".shutdown").description("Whole shutdown").register(registry);
        drain = Timer.builder(prefix + ".shutdown.drain").description("Shutdown drain, start to end")
                .register(registry);
        drainBytes = DistributionSummary.builder(prefix + ".shutdown.drain.read").baseUnit("bytes")
                .description("Bytes discarded while draining").register(registry);
        for (ShutdownStep step : ShutdownStep.values()) {
            hardCloses.put(step, Counter.builder(prefix + ".shutdown.hard.closes").tag("step", step.label())
                    .description("Abortive closes, by the shutdown step that failed").register(registry));
            closeErrors.put(step, Counter.builder(prefix + ".shutdown.close.errors").tag("step", step.label())
                    .description("Errors from the final close of a shutdown").register(registry));
        }
        heartbeatsSent = Counter.builder(prefix + ".heartbeats.sent").description("HEARTBEAT frames sent")
                .register(registry);
        heartbeatsReceived = Counter.builder(prefix + ".heartbeats.received")
                .description("HEARTBEAT frames received and dropped").register(registry);
        peerTimeouts = Counter.builder(prefix + ".peer.timeouts")
                .description("Peers that sent nothing, not even a heartbeat, for the peer timeout")
                .register(registry);
        for (StreamStalledException.Direction d : StreamStalledException.Direction.values()) {
            stalls.put(d, Counter.builder(prefix + ".stalls").tag("direction", d.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Data stalled for the stall timeout under live heartbeats").register(registry));
        }
    }

    @Override
    public void frameRead(int type, int payloadLength) {
        framesRead.increment();
        bytesRead.increment(payloadLength);
    }

    @Override
    public void frameWritten(int type, int payloadLength) {
        framesWritten.increment();
        bytesWritten.increment(payloadLength);
    }

    @Override
    public void shutdownCompleted(long nanos) {
        shutdown.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdownDrained(long nanos, long bytes) {
        drain.record(nanos, TimeUnit.NANOSECONDS);
        drainBytes.record((double) bytes); // a summary holds doubles; exact below 2^53 bytes
    }

    @Override
    public void shutdownHardClose(ShutdownStep step) {
        hardCloses.get(step).increment();
    }

    @Override
    public void shutdownCloseError(ShutdownStep step) {
        closeErrors.get(step).increment();
    }

    @Override
    public void heartbeatSent() {
        heartbeatsSent.increment();
    }

    @Override
    public void heartbeatReceived() {
        heartbeatsReceived.increment();
    }

    @Override
    public void peerTimedOut() {
        peerTimeouts.increment();
    }

    @Override
    public void stalled(StreamStalledException.Direction direction) {
        stalls.get(direction).increment();
    }
}
