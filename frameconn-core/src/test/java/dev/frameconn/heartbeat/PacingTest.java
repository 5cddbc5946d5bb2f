package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One look of the heartbeat pacer at a time, under a manual clock. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PacingTest {
    private static final long S = Duration.ofSeconds(1).toNanos();
    private final ManualTicker clock = new ManualTicker();

    @Test
    void aHeartbeatIsDueExactlyOneIntervalAfterTheLastWrite() {
        Pacing pacing = new Pacing(5 * S, new StallClocks(0));
        long lastWrite = clock.nanoTime();
        clock.advance(Duration.ofSeconds(2));
        Pacing.Look look = pacing.look(clock.nanoTime(), lastWrite);
        assertThat(look.heartbeatDue()).isFalse();
        assertThat(look.waitNanos()).isEqualTo(3 * S);
        clock.advance(Duration.ofNanos(3 * S - 1));
        assertThat(pacing.look(clock.nanoTime(), lastWrite).heartbeatDue()).isFalse();
        clock.advance(Duration.ofNanos(1));
        look = pacing.look(clock.nanoTime(), lastWrite);
        assertThat(look.heartbeatDue()).isTrue();
        assertThat(look.waitNanos()).as("the next one, after the heartbeat going out now").isEqualTo(5 * S);
        assertThat(look.stall()).isNull();
    }

    @Test
    void theLookComesBackWhenAStallClockCouldExpire() {
        StallClocks clocks = new StallClocks(30 * S);
        Pacing pacing = new Pacing(5 * S, clocks);
        clocks.readWaitBegins(clock.nanoTime());
        clock.advance(Duration.ofSeconds(28));
        long lastWrite = clock.nanoTime();
        Pacing.Look look = pacing.look(clock.nanoTime(), lastWrite);
        assertThat(look.waitNanos()).as("the stall, before the heartbeat").isEqualTo(2 * S);
        clock.advance(Duration.ofSeconds(2));
        look = pacing.look(clock.nanoTime(), lastWrite);
        assertThat(look.stall()).isEqualTo(StreamStalledException.Direction.RECEIVE);
        assertThat(pacing.stalled()).isTrue();
        clock.advance(Duration.ofSeconds(10));
        look = pacing.look(clock.nanoTime(), lastWrite);
        assertThat(look.stall()).as("reported once").isNull();
        assertThat(look.heartbeatDue()).isTrue();
    }

    @Test
    void standingClocksLetThePacerSleepUntilTheHeartbeat() {
        StallClocks clocks = new StallClocks(30 * S);
        Pacing pacing = new Pacing(5 * S, clocks);
        Pacing.Look look = pacing.look(clock.nanoTime(), clock.nanoTime());
        assertThat(look.waitNanos()).isEqualTo(5 * S);
        assertThat(look.stall()).isNull();
        assertThat(pacing.stalled()).isFalse();
    }

    @Test
    void aSendIntervalOfZeroIsACallerBug() {
        assertThatThrownBy(() -> new Pacing(0, new StallClocks(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("intervalNanos=0 must be > 0");
        assertThat(new Pacing(1, new StallClocks(0)).look(clock.nanoTime(), clock.nanoTime()).waitNanos()).isEqualTo(1);
    }
}
