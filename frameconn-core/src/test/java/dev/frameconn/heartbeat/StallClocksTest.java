package dev.frameconn.heartbeat;

import static dev.frameconn.heartbeat.StreamStalledException.Direction.RECEIVE;
import static dev.frameconn.heartbeat.StreamStalledException.Direction.SEND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The stall clocks alone, under a manual clock: each rule of
 * {@link HeartbeatConn}'s "Stall clocks" on its own, the boundary at exactly
 * the stall timeout, and zero meaning off.
 */
class StallClocksTest {
    private static final long S = Duration.ofSeconds(1).toNanos();
    private static final long STALL = 30 * S;
    private final ManualTicker clock = new ManualTicker();
    private final StallClocks clocks = new StallClocks(STALL);

    private long now() {
        return clock.nanoTime();
    }

    private void seconds(long n) {
        clock.advance(Duration.ofSeconds(n));
    }

    private void nanos(long n) {
        clock.advance(Duration.ofNanos(n));
    }

    // ---------------------------------------------------------------- receive

    @Test
    void aWaitingReaderStallsAtExactlyTheStallTimeout() {
        clocks.readWaitBegins(now());
        seconds(30);
        nanos(-1);
        assertThat(clocks.expired(now())).isNull();
        assertThat(clocks.nanosUntilExpiry(now())).isEqualTo(1);
        nanos(1);
        assertThat(clocks.receiveClock(now())).isEqualTo(STALL);
        assertThat(clocks.expired(now())).isEqualTo(RECEIVE);
        assertThat(clocks.nanosUntilExpiry(now())).isZero();
    }

    @Test
    void timeWithoutAWaitingReaderIsNotCounted() {
        clocks.readWaitBegins(now());
        seconds(20);
        clocks.readWaitEnds(now(), false);
        seconds(1000); // the application is busy elsewhere
        assertThat(clocks.receiveClock(now())).isEqualTo(20 * S);
        assertThat(clocks.expired(now())).isNull();
        assertThat(clocks.nanosUntilExpiry(now())).as("a standing clock").isEqualTo(STALL);
    }

    @Test
    void emptyFramesEndAWaitButTheCountGoesOn() {
        for (int i = 0; i < 29; i++) {
            clocks.readWaitBegins(now());
            seconds(1);
            clocks.readWaitEnds(now(), false); // an empty frame was handed out
        }
        clocks.readWaitBegins(now());
        assertThat(clocks.receiveClock(now())).isEqualTo(29 * S);
        seconds(1);
        assertThat(clocks.expired(now())).isEqualTo(RECEIVE);
    }

    @Test
    void payloadArrivingRestartsAWaitingReadersClock() {
        clocks.readWaitBegins(now());
        seconds(29);
        clocks.payloadArrived(now());
        assertThat(clocks.receiveClock(now())).isZero();
        seconds(29);
        assertThat(clocks.expired(now())).isNull();
        seconds(1);
        assertThat(clocks.expired(now())).isEqualTo(RECEIVE);
    }

    @Test
    void payloadArrivingWithNobodyWaitingClearsTheCount() {
        clocks.readWaitBegins(now());
        seconds(25);
        clocks.readWaitEnds(now(), false);
        assertThat(clocks.readersWaiting()).isFalse();
        clocks.payloadArrived(0); // nobody waits: the time is not needed
        clocks.readWaitBegins(now());
        assertThat(clocks.receiveClock(now())).isZero();
        seconds(29);
        assertThat(clocks.expired(now())).isNull();
    }

    @Test
    void payloadArrivingWithNobodyWaitingLeavesTheClockStanding() {
        seconds(100);
        assertThat(clocks.readersWaiting()).isFalse();
        clocks.payloadArrived(0); // as the receive side calls it when nobody waits: no time read
        assertThat(clocks.receiveClock(now())).isZero();
        seconds(1000); // nobody waits: nothing runs, nothing expires
        assertThat(clocks.receiveClock(now())).isZero();
        assertThat(clocks.expired(now())).isNull();
        assertThat(clocks.nanosUntilExpiry(now())).as("a standing clock").isEqualTo(STALL);
    }

    @Test
    void aWaitThatTakesAPayloadFrameEndsAtZero() {
        clocks.readWaitBegins(now());
        seconds(25);
        clocks.readWaitEnds(now(), true);
        assertThat(clocks.receiveClock(now())).isZero();
    }

    @Test
    void twoReadersShareOneClockUntilTheLastStopsWaiting() {
        clocks.readWaitBegins(now());
        seconds(10);
        clocks.readWaitBegins(now()); // joins; does not restart
        seconds(10);
        clocks.readWaitEnds(now(), false);
        assertThat(clocks.readersWaiting()).isTrue();
        seconds(10);
        assertThat(clocks.expired(now())).isEqualTo(RECEIVE);
        clocks.readWaitEnds(now(), false);
        assertThat(clocks.receiveClock(now())).isEqualTo(30 * S);
    }

    // ---------------------------------------------------------------- send

    @Test
    void aBlockedWriteStallsAtExactlyTheStallTimeout() {
        clocks.sendBegins(now(), false);
        seconds(30);
        nanos(-1);
        assertThat(clocks.expired(now())).isNull();
        nanos(1);
        assertThat(clocks.sendClock(now())).isEqualTo(STALL);
        assertThat(clocks.expired(now())).isEqualTo(SEND);
    }

    @Test
    void emptyWritesAddUpAndPayloadWritesSetTheClockBack() {
        for (int i = 0; i < 20; i++) {
            clocks.sendBegins(now(), false);
            seconds(1);
            clocks.sendEnds(now(), false, false); // an empty frame: no progress
        }
        seconds(500); // not writing: not counted
        assertThat(clocks.sendClock(now())).isEqualTo(20 * S);
        clocks.sendBegins(now(), false);
        seconds(5);
        clocks.sendEnds(now(), true, true); // one payload byte accepted
        assertThat(clocks.sendClock(now())).isZero();
        clocks.sendBegins(now(), false);
        seconds(29);
        assertThat(clocks.expired(now())).isNull();
        seconds(1);
        assertThat(clocks.expired(now())).isEqualTo(SEND);
    }

    @Test
    void progressOfOneWriteRestartsTheClockForAnotherStillUnderWay() {
        clocks.sendBegins(now(), false); // blocked writer
        seconds(20);
        clocks.sendBegins(now(), true); // a flush beside it
        seconds(5);
        clocks.sendEnds(now(), true, false); // the flush pushed payload out
        assertThat(clocks.sendClock(now())).as("the writer still runs the clock, from zero").isZero();
        seconds(29);
        assertThat(clocks.expired(now())).isNull();
        seconds(1);
        assertThat(clocks.expired(now())).isEqualTo(SEND);
    }

    @Test
    void aFlushIsProgressOnlyAfterAWriteThatAcceptedPayload() {
        assertThat(clocks.sendBegins(now(), true)).as("nothing written").isFalse();
        clocks.sendEnds(now(), false, false);
        clocks.sendBegins(now(), false);
        clocks.sendEnds(now(), true, true);
        assertThat(clocks.sendBegins(now(), true)).as("payload accepted before").isTrue();
        clocks.sendEnds(now(), true, false);
        assertThat(clocks.sendBegins(now(), true)).as("that flush took it").isFalse();
        clocks.sendEnds(now(), false, false);
    }

    @Test
    void theSendClockExpiresFirstWhenBothDo() {
        clocks.readWaitBegins(now());
        clocks.sendBegins(now(), false);
        seconds(30);
        assertThat(clocks.expired(now())).isEqualTo(SEND);
        clocks.sendEnds(now(), true, true);
        assertThat(clocks.expired(now())).isEqualTo(RECEIVE);
    }

    @Test
    void nanosUntilExpiryIsTheLeastLeftOnARunningClock() {
        clocks.readWaitBegins(now());
        seconds(10);
        clocks.sendBegins(now(), false);
        seconds(5);
        assertThat(clocks.nanosUntilExpiry(now())).isEqualTo(15 * S);
        assertThat(clocks.mayExpireBefore(now(), now() + 15 * S)).isFalse();
        assertThat(clocks.mayExpireBefore(now(), now() + 15 * S + 1)).isTrue();
    }

    // ---------------------------------------------------------------- off

    @Test
    void aStallTimeoutOfZeroNeverExpires() {
        StallClocks off = new StallClocks(0);
        assertThat(off.enabled()).isFalse();
        off.readWaitBegins(now());
        off.sendBegins(now(), false);
        seconds(1_000_000);
        assertThat(off.expired(now())).isNull();
        assertThat(off.nanosUntilExpiry(now())).isEqualTo(Long.MAX_VALUE);
        assertThat(off.mayExpireBefore(now(), now() + 1_000_000 * S)).isFalse();
        assertThat(clocks.enabled()).isTrue();
    }

    @Test
    void aNegativeStallTimeoutIsACallerBug() {
        assertThatThrownBy(() -> new StallClocks(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stallNanos=-1 must be >= 0");
    }
}
