package dev.frameconn.cli;

import dev.frameconn.FrameConnConfig;
import dev.frameconn.heartbeat.HeartbeatConfig;
import dev.frameconn.micrometer.MicrometerMetrics;
import dev.frameconn.micrometer.PrometheusHttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options {@code send} and {@code recv} share: heartbeat timing, the
 * Prometheus endpoint, the progress bar. A picocli mixin.
 */
final class TransferOptions {
    /** Frame type of the data stream; zrepl's own data connection uses application types 1..5 too. */
    static final int DATA_TYPE = 1;
    /** Frame type of the receiver's confirmation: UTF-8 "ok BYTES SHA256" or "error MESSAGE". */
    static final int RECEIPT_TYPE = 2;

    /** When to draw the progress bar. */
    enum ProgressMode { auto, always, never }

    /** Without either timing option: zrepl's 10 s peer timeout. */
    static final Duration DEFAULT_PEER_TIMEOUT = HeartbeatConfig.DEFAULT_PEER_TIMEOUT;
    /** Without either timing option: zrepl's 5 s heartbeat interval; also the most a derived one is. */
    static final Duration DEFAULT_HEARTBEAT_INTERVAL = HeartbeatConfig.DEFAULT_SEND_INTERVAL;
    /**
     * The least a derived heartbeat interval is: 1 ms. Shorter would be a
     * frame per timer tick and no use; HeartbeatConfig itself only asks for
     * more than zero and less than the peer timeout.
     */
    static final Duration MIN_DERIVED_INTERVAL = Duration.ofMillis(1);

    // null when not given: whether the user gave one decides how the other is found (see timing())
    @Option(names = "--peer-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "A peer that sends nothing, not even a heartbeat, for this long is gone "
                    + "(default: 10s, as zrepl). Given alone, it also sets --heartbeat-interval.")
    Duration peerTimeout;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Send a heartbeat when nothing was sent for this long; must be shorter than "
                    + "--peer-timeout (default: a third of --peer-timeout, at most 5s, when only that is "
                    + "given; otherwise 5s, as zrepl).")
    Duration heartbeatInterval;

    /** The heartbeat interval and peer timeout in force: given, derived or default. */
    record Timing(Duration heartbeatInterval, Duration peerTimeout) {}

    @Option(names = "--stall-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "2m",
            description = "Fail when the peer is alive but no data moves for this long; 0 switches "
                    + "it off (default: ${DEFAULT-VALUE}).")
    Duration stallTimeout;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = Addresses.Converter.class,
            description = "Serve metrics in Prometheus text format on http://HOST:PORT/metrics "
                    + "(port 0 picks a free port; the address is printed).")
    SocketAddress metrics;

    @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
            description = "Progress bar on standard error: auto (when it is a terminal), always, never "
                    + "(default: ${DEFAULT-VALUE}).")
    ProgressMode progress;

    /**
     * Checks the combination, as picocli checks single options: a bad one is a
     * usage error of {@code spec}'s command (status 2).
     *
     * @throws ParameterException whose message says {@code name=value}
     */
    void validate(CommandSpec spec) {
        try {
            timing();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (metrics != null && !(metrics instanceof InetSocketAddress)) {
            throw new ParameterException(spec.commandLine(),
                    "--metrics=" + Addresses.format(metrics) + " must be HOST:PORT");
        }
    }

    /**
     * The timing in force. Neither option: zrepl's 5 s and 10 s. Only
     * {@code --peer-timeout}: the interval is a third of it (two heartbeats may
     * go missing before the peer gives up on us), at most 5 s as zrepl sends
     * them, at least {@link #MIN_DERIVED_INTERVAL}. Only
     * {@code --heartbeat-interval}: the peer timeout stays 10 s. Both: as given.
     *
     * @throws IllegalArgumentException if a value is zero, the interval is not
     *         shorter than the peer timeout, or the peer timeout is too short to
     *         derive an interval from; the message names the options
     */
    Timing timing() {
        if ((heartbeatInterval != null && heartbeatInterval.isZero()) || (peerTimeout != null && peerTimeout.isZero())) {
            throw new IllegalArgumentException("--heartbeat-interval and --peer-timeout must be positive");
        }
        Duration peer = peerTimeout != null ? peerTimeout : DEFAULT_PEER_TIMEOUT;
        if (heartbeatInterval == null && peerTimeout != null) {
            Duration derived = derivedInterval(peer);
            if (derived.compareTo(peer) >= 0) {
                throw new IllegalArgumentException("--peer-timeout=" + peer.toNanos() + "ns is too short to "
                        + "derive a heartbeat interval from (at least " + MIN_DERIVED_INTERVAL.toMillis()
                        + "ms and shorter than it); give --heartbeat-interval too");
            }
            return new Timing(derived, peer);
        }
        Duration interval = heartbeatInterval != null ? heartbeatInterval : DEFAULT_HEARTBEAT_INTERVAL;
        if (interval.compareTo(peer) >= 0) {
            throw new IllegalArgumentException("--heartbeat-interval=" + interval.toMillis()
                    + "ms must be shorter than --peer-timeout=" + peer.toMillis() + "ms");
        }
        return new Timing(interval, peer);
    }

    /** A third of {@code peerTimeout}, at most 5 s, at least 1 ms. */
    static Duration derivedInterval(Duration peerTimeout) {
        Duration third = peerTimeout.dividedBy(3);
        if (third.compareTo(DEFAULT_HEARTBEAT_INTERVAL) > 0) {
            return DEFAULT_HEARTBEAT_INTERVAL;
        }
        return third.compareTo(MIN_DERIVED_INTERVAL) < 0 ? MIN_DERIVED_INTERVAL : third;
    }

    /** The heartbeat settings, reporting to {@code metrics} if given. */
    HeartbeatConfig heartbeatConfig(MicrometerMetrics metricsSink) {
        Timing t = timing();
        HeartbeatConfig c = HeartbeatConfig.defaults()
                .withTiming(t.heartbeatInterval(), t.peerTimeout())
                .withStallTimeout(stallTimeout);
        return metricsSink == null ? c : c.withMetrics(metricsSink);
    }

    /** The connection settings: shutdown bounded by the peer timeout, as the heartbeat layer does. */
    FrameConnConfig frameConfig(MicrometerMetrics metricsSink) {
        FrameConnConfig c = FrameConnConfig.defaults().withShutdownTimeout(timing().peerTimeout());
        return metricsSink == null ? c : c.withMetrics(metricsSink);
    }

    /**
     * Starts the metrics server if {@code --metrics} was given and says where
     * it listens; null without the option.
     *
     * @throws ExitStatusException with {@link TransferExit#UNAVAILABLE}, after
     *         printing why it could not listen
     */
    PrometheusHttpServer startMetrics(PrintWriter err, String name) {
        try {
            PrometheusHttpServer http = startMetrics();
            if (http != null) {
                err.println(name + ": metrics on http://" + Addresses.format(http.address()) + "/metrics");
                err.flush();
            }
            return http;
        } catch (IOException e) {
            err.println(name + ": cannot serve metrics on " + Addresses.format(metrics) + ": "
                    + EndReason.messageOf(e));
            throw new ExitStatusException(TransferExit.UNAVAILABLE);
        }
    }

    PrometheusHttpServer startMetrics() throws IOException {
        if (metrics == null) {
            return null;
        }
        InetSocketAddress at = (InetSocketAddress) Addresses.resolve(metrics);
        return PrometheusHttpServer.start(at, PrometheusHttpServer.newRegistry());
    }

    /** True if the progress bar should be drawn. */
    boolean showProgress() {
        return switch (progress) {
            case always -> true;
            case never -> false;
            case auto -> Progress.stderrIsTerminal();
        };
    }
}
