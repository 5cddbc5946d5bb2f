package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.heartbeat.HeartbeatConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

/** How {@code --peer-timeout} and {@code --heartbeat-interval} combine, parsed as picocli parses them. */
class TransferOptionsTest {
    @Command(name = "t")
    static final class Holder {
        @Mixin
        TransferOptions options;
    }

    private static TransferOptions parse(String... args) {
        Holder h = new Holder();
        CommandLine cl = new CommandLine(h);
        cl.parseArgs(args);
        h.options.validate(cl.getCommandSpec());
        return h.options;
    }

    private static TransferOptions.Timing timing(String... args) {
        return parse(args).timing();
    }

    private static TransferOptions.Timing of(Duration interval, Duration peer) {
        return new TransferOptions.Timing(interval, peer);
    }

    @Test
    void neitherOptionIsZreplsFiveAndTenSeconds() {
        assertThat(timing()).isEqualTo(of(Duration.ofSeconds(5), Duration.ofSeconds(10)));
    }

    @Test
    void aPeerTimeoutAloneDerivesTheIntervalAThirdOfItAtMostFiveSeconds() {
        assertThat(timing("--peer-timeout", "3s")).isEqualTo(of(Duration.ofSeconds(1), Duration.ofSeconds(3)));
        assertThat(timing("--peer-timeout", "600ms")).isEqualTo(of(Duration.ofMillis(200), Duration.ofMillis(600)));
        assertThat(timing("--peer-timeout", "10s")).isEqualTo(of(Duration.ofNanos(3_333_333_333L), Duration.ofSeconds(10)));
        assertThat(timing("--peer-timeout", "15s")).isEqualTo(of(Duration.ofSeconds(5), Duration.ofSeconds(15)));
        assertThat(timing("--peer-timeout", "1h")).isEqualTo(of(Duration.ofSeconds(5), Duration.ofHours(1)));
        // below 3 ms a third would be under the 1 ms floor: the floor, still shorter than the timeout
        assertThat(timing("--peer-timeout", "2ms")).isEqualTo(of(Duration.ofMillis(1), Duration.ofMillis(2)));
    }

    @Test
    void theDerivedTimingIsWhatTheConnectionGets() {
        HeartbeatConfig c = parse("--peer-timeout", "3s").heartbeatConfig(null);
        assertThat(c.sendInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.peerTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(parse("--peer-timeout", "3s").frameConfig(null).shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
        HeartbeatConfig d = parse().heartbeatConfig(null);
        assertThat(d.sendInterval()).isEqualTo(HeartbeatConfig.DEFAULT_SEND_INTERVAL);
        assertThat(d.peerTimeout()).isEqualTo(HeartbeatConfig.DEFAULT_PEER_TIMEOUT);
    }

    @Test
    void givenValuesAreKeptAndContradictionsStayErrors() {
        assertThat(timing("--peer-timeout", "3s", "--heartbeat-interval", "2s"))
                .isEqualTo(of(Duration.ofSeconds(2), Duration.ofSeconds(3)));
        assertThat(timing("--heartbeat-interval", "2s")).isEqualTo(of(Duration.ofSeconds(2), Duration.ofSeconds(10)));
        assertThatThrownBy(() -> parse("--peer-timeout", "3s", "--heartbeat-interval", "5s"))
                .isInstanceOf(ParameterException.class)
                .hasMessage("--heartbeat-interval=5000ms must be shorter than --peer-timeout=3000ms");
        assertThatThrownBy(() -> parse("--heartbeat-interval", "10s"))
                .isInstanceOf(ParameterException.class)
                .hasMessage("--heartbeat-interval=10000ms must be shorter than --peer-timeout=10000ms");
        assertThatThrownBy(() -> parse("--peer-timeout", "0")).isInstanceOf(ParameterException.class)
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> parse("--peer-timeout", "3s", "--heartbeat-interval", "0"))
                .isInstanceOf(ParameterException.class).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> parse("--peer-timeout", "1ms")).isInstanceOf(ParameterException.class)
                .hasMessage("--peer-timeout=1000000ns is too short to derive a heartbeat interval from "
                        + "(at least 1ms and shorter than it); give --heartbeat-interval too");
        assertThat(timing("--peer-timeout", "1ms", "--heartbeat-interval", "500us"))
                .isEqualTo(of(Duration.ofNanos(500_000), Duration.ofMillis(1)));
    }

    @Test
    void theHelpSaysHowTheIntervalIsDerived() {
        String help = new CommandLine(new Holder()).getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
        assertThat(help).contains("a third of --peer-timeout, at most 5s, when only that is given")
                .contains("Given alone, it also sets --heartbeat-interval").doesNotContain("null");
    }
}
