package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link HeartbeatConfig} by behaviour: the documented defaults, each {@code with…} changing its
 * own value only, and every bound at its edge and one past it.
 */
@Timeout(10)
class HeartbeatConfigBoundsTest {
    private static final Duration MAX = Duration.ofDays(36_500);
    private static final Duration ONE_NS = Duration.ofNanos(1);

    @Test
    void theDefaultsAreZreplsTimingWithoutAStallTimeout() throws Exception {
        HeartbeatConfig d = HeartbeatConfig.defaults();
        assertThat(d.sendInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.peerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.stallTimeout()).isZero();
        assertThat(d.receiveQueueFrames()).isEqualTo(8);
        assertThat(d.metrics()).isSameAs(HeartbeatMetrics.NOOP);
        Thread t = d.threadFactory().newThread(() -> { });
        assertThat(t.isVirtual()).isTrue();
        assertThat(t.getName()).startsWith("frameconn-heartbeat-");
    }

    @Test
    void everyWitherSetsItsOwnValueAndKeepsTheOthers() {
        ThreadFactory factory = Thread::new;
        HeartbeatMetrics metrics = new HeartbeatMetrics() { };
        HeartbeatConfig c = HeartbeatConfig.defaults()
                .withTiming(Duration.ofSeconds(1), Duration.ofSeconds(3))
                .withStallTimeout(Duration.ofSeconds(4))
                .withReceiveQueueFrames(5)
                .withThreadFactory(factory)
                .withMetrics(metrics);
        assertThat(c).isEqualTo(new HeartbeatConfig(Duration.ofSeconds(1), Duration.ofSeconds(3),
                Duration.ofSeconds(4), 5, factory, metrics));
        assertThat(c.withSendInterval(Duration.ofSeconds(2))).isEqualTo(new HeartbeatConfig(Duration.ofSeconds(2),
                Duration.ofSeconds(3), Duration.ofSeconds(4), 5, factory, metrics));
        assertThat(c.withPeerTimeout(Duration.ofSeconds(9))).isEqualTo(new HeartbeatConfig(Duration.ofSeconds(1),
                Duration.ofSeconds(9), Duration.ofSeconds(4), 5, factory, metrics));
        assertThat(c.withStallTimeout(Duration.ZERO)).isEqualTo(new HeartbeatConfig(Duration.ofSeconds(1),
                Duration.ofSeconds(3), Duration.ZERO, 5, factory, metrics));
        assertThat(c.withReceiveQueueFrames(1)).isEqualTo(new HeartbeatConfig(Duration.ofSeconds(1),
                Duration.ofSeconds(3), Duration.ofSeconds(4), 1, factory, metrics));
        assertThat(c.withThreadFactory(Thread.ofPlatform().factory()).threadFactory()).isNotSameAs(factory);
        assertThat(c.withThreadFactory(Thread.ofPlatform().factory()).withThreadFactory(factory)).isEqualTo(c);
        assertThat(c.withMetrics(HeartbeatMetrics.NOOP)).isEqualTo(new HeartbeatConfig(Duration.ofSeconds(1),
                Duration.ofSeconds(3), Duration.ofSeconds(4), 5, factory, HeartbeatMetrics.NOOP));
    }

    @Test
    void eachBoundAdmitsItsEdge() {
        HeartbeatConfig d = HeartbeatConfig.defaults();
        HeartbeatConfig tight = d.withTiming(ONE_NS, Duration.ofNanos(2));
        assertThat(tight.sendInterval()).isEqualTo(ONE_NS);
        assertThat(tight.peerTimeout()).isEqualTo(Duration.ofNanos(2));
        HeartbeatConfig wide = d.withTiming(MAX.minus(ONE_NS), MAX);
        assertThat(wide.peerTimeout()).isEqualTo(MAX);
        assertThat(d.withStallTimeout(MAX).stallTimeout()).isEqualTo(MAX);
        assertThat(d.withStallTimeout(Duration.ZERO).stallTimeout()).isZero();
        assertThat(d.withReceiveQueueFrames(1).receiveQueueFrames()).isEqualTo(1);
    }

    @Test
    void eachBoundRefusesOnePastItsEdgeSayingNameAndValue() {
        HeartbeatConfig d = HeartbeatConfig.defaults();
        assertThatThrownBy(() -> d.withSendInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sendInterval=PT0S must be in (0, 36500 days]");
        assertThatThrownBy(() -> d.withSendInterval(ONE_NS.negated()))
                .hasMessage("sendInterval=PT-0.000000001S must be in (0, 36500 days]");
        assertThatThrownBy(() -> d.withTiming(Duration.ofSeconds(1), MAX.plus(ONE_NS)))
                .hasMessage("peerTimeout=" + MAX.plus(ONE_NS) + " must be in (0, 36500 days]");
        assertThatThrownBy(() -> d.withPeerTimeout(Duration.ZERO))
                .hasMessage("peerTimeout=PT0S must be in (0, 36500 days]");
        assertThatThrownBy(() -> d.withStallTimeout(ONE_NS.negated())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stallTimeout=PT-0.000000001S must be in 0..36500 days");
        assertThatThrownBy(() -> d.withStallTimeout(MAX.plus(ONE_NS)))
                .hasMessage("stallTimeout=" + MAX.plus(ONE_NS) + " must be in 0..36500 days");
        assertThatThrownBy(() -> d.withReceiveQueueFrames(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("receiveQueueFrames=0 must be >= 1");
    }

    @Test
    void theSendIntervalMustBeShorterThanThePeerTimeout() {
        HeartbeatConfig d = HeartbeatConfig.defaults();
        assertThatThrownBy(() -> d.withSendInterval(Duration.ofSeconds(10))) // equal
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sendInterval=PT10S must be shorter than peerTimeout=PT10S");
        assertThatThrownBy(() -> d.withPeerTimeout(Duration.ofSeconds(4)))
                .hasMessage("sendInterval=PT5S must be shorter than peerTimeout=PT4S");
        assertThat(d.withSendInterval(Duration.ofSeconds(10).minus(ONE_NS)).sendInterval())
                .isEqualTo(Duration.ofSeconds(10).minus(ONE_NS));
    }

    @Test
    void nothingMayBeNull() {
        HeartbeatConfig d = HeartbeatConfig.defaults();
        assertThatThrownBy(() -> d.withSendInterval(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("sendInterval");
        assertThatThrownBy(() -> d.withPeerTimeout(null)).hasMessage("peerTimeout");
        assertThatThrownBy(() -> d.withStallTimeout(null)).hasMessage("stallTimeout");
        assertThatThrownBy(() -> d.withThreadFactory(null)).hasMessage("threadFactory");
        assertThatThrownBy(() -> d.withMetrics(null)).hasMessage("metrics");
    }
}
