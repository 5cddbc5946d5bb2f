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

    @Option(names = "--peer-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "10s",
            description = "A peer that sends nothing, not even a heartbeat, for this long is gone "
                    + "(default: ${DEFAULT-VALUE}, as zrepl).")
    Duration peerTimeout;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "5s",
            description = "Send a heartbeat when nothing was sent for this long; must be shorter than "
                    + "--peer-timeout (default: ${DEFAULT-VALUE}, as zrepl).")
    Duration heartbeatInterval;

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
        if (heartbeatInterval.isZero() || peerTimeout.isZero()) {
            throw new ParameterException(spec.commandLine(),
                    "--heartbeat-interval and --peer-timeout must be positive");
        }
        if (heartbeatInterval.compareTo(peerTimeout) >= 0) {
            throw new ParameterException(spec.commandLine(), "--heartbeat-interval="
                    + heartbeatInterval.toMillis() + "ms must be shorter than --peer-timeout="
                    + peerTimeout.toMillis() + "ms");
        }
        if (metrics != null && !(metrics instanceof InetSocketAddress)) {
            throw new ParameterException(spec.commandLine(),
                    "--metrics=" + Addresses.format(metrics) + " must be HOST:PORT");
        }
    }

    /** The heartbeat settings, reporting to {@code metrics} if given. */
    HeartbeatConfig heartbeatConfig(MicrometerMetrics metricsSink) {
        HeartbeatConfig c = HeartbeatConfig.defaults()
                .withTiming(heartbeatInterval, peerTimeout)
                .withStallTimeout(stallTimeout);
        return metricsSink == null ? c : c.withMetrics(metricsSink);
    }

    /** The connection settings: shutdown bounded by the peer timeout, as the heartbeat layer does. */
    FrameConnConfig frameConfig(MicrometerMetrics metricsSink) {
        FrameConnConfig c = FrameConnConfig.defaults().withShutdownTimeout(peerTimeout);
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
