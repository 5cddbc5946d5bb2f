package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.metrics.InMemoryMetrics;
import dev.frameconn.time.Ticker;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FrameConnConfig} by behaviour, not by structure: each {@code with…} changes its own
 * value and keeps every other one, each bound admits its edge and refuses one past it, and the
 * socket buffer size reaches a real (unconnected) channel.
 */
@Timeout(10)
class ConfigBoundsTest {
    private static final Duration MAX_DURATION = Duration.ofDays(36_500);

    /** A configuration where every value differs from the default. */
    private static FrameConnConfig allChanged(BufferPool pool, InMemoryMetrics metrics, Ticker ticker) {
        return FrameConnConfig.defaults()
                .withMaxPayloadLength(1)
                .withIdleTimeout(Duration.ofSeconds(2))
                .withShutdownTimeout(Duration.ofSeconds(3))
                .withDrainLimit(4)
                .withConnectTimeout(Duration.ofSeconds(5))
                .withReadBufferSize(600)
                .withBufferPool(pool)
                .withMetrics(metrics)
                .withTicker(ticker)
                .withReuseFrames(true)
                .withSocketBufferSize(7);
    }

    @Test
    void theDefaultsAreTheDocumentedValues() {
        FrameConnConfig d = FrameConnConfig.defaults();
        assertThat(d).isEqualTo(new FrameConnConfig(16 << 20, Duration.ofSeconds(60), Duration.ofSeconds(10),
                256L << 20, Duration.ofSeconds(10), 16 << 10, BufferPool.shared(),
                dev.frameconn.metrics.FrameConnMetrics.NOOP, Ticker.system(), false, 0));
    }

    @Test
    void everyWitherSetsItsOwnValueAndKeepsTheOthers() {
        BufferPool pool = new BufferPool(6, 8, 1, 1024);
        InMemoryMetrics metrics = new InMemoryMetrics();
        Ticker ticker = () -> 42;
        FrameConnConfig c = allChanged(pool, metrics, ticker);
        assertThat(c).isEqualTo(new FrameConnConfig(1, Duration.ofSeconds(2), Duration.ofSeconds(3), 4,
                Duration.ofSeconds(5), 600, pool, metrics, ticker, true, 7));
        // and each wither on the changed configuration touches only its own component
        FrameConnConfig d = FrameConnConfig.defaults();
        assertThat(c.withMaxPayloadLength(d.maxPayloadLength()).maxPayloadLength()).isEqualTo(d.maxPayloadLength());
        assertThat(c.withMaxPayloadLength(9)).isEqualTo(new FrameConnConfig(9, Duration.ofSeconds(2),
                Duration.ofSeconds(3), 4, Duration.ofSeconds(5), 600, pool, metrics, ticker, true, 7));
        assertThat(c.withIdleTimeout(Duration.ZERO)).isEqualTo(new FrameConnConfig(1, Duration.ZERO,
                Duration.ofSeconds(3), 4, Duration.ofSeconds(5), 600, pool, metrics, ticker, true, 7));
        assertThat(c.withShutdownTimeout(Duration.ZERO)).isEqualTo(new FrameConnConfig(1, Duration.ofSeconds(2),
                Duration.ZERO, 4, Duration.ofSeconds(5), 600, pool, metrics, ticker, true, 7));
        assertThat(c.withDrainLimit(0)).isEqualTo(new FrameConnConfig(1, Duration.ofSeconds(2),
                Duration.ofSeconds(3), 0, Duration.ofSeconds(5), 600, pool, metrics, ticker, true, 7));
        assertThat(c.withConnectTimeout(Duration.ZERO)).isEqualTo(new FrameConnConfig(1, Duration.ofSeconds(2),
                Duration.ofSeconds(3), 4, Duration.ZERO, 600, pool, metrics, ticker, true, 7));
        assertThat(c.withReadBufferSize(512)).isEqualTo(new FrameConnConfig(1, Duration.ofSeconds(2),
                Duration.ofSeconds(3), 4, Duration.ofSeconds(5), 512, pool, metrics, ticker, true, 7));
        assertThat(c.withBufferPool(BufferPool.shared())).isEqualTo(new FrameConnConfig(1, Duration.ofSeconds(2),
                Duration.ofSeconds(3), 4, Duration.ofSeconds(5), 600, BufferPool.shared(), metrics, ticker, true, 7));
        assertThat(c.withMetrics(dev.frameconn.metrics.FrameConnMetrics.NOOP)).isEqualTo(new FrameConnConfig(1,
                Duration.ofSeconds(2), Duration.ofSeconds(3), 4, Duration.ofSeconds(5), 600, pool,
                dev.frameconn.metrics.FrameConnMetrics.NOOP, ticker, true, 7));
        assertThat(c.withTicker(Ticker.system())).isEqualTo(new FrameConnConfig(1, Duration.ofSeconds(2),
                Duration.ofSeconds(3), 4, Duration.ofSeconds(5), 600, pool, metrics, Ticker.system(), true, 7));
        assertThat(c.withReuseFrames(false)).isEqualTo(new FrameConnConfig(1, Duration.ofSeconds(2),
                Duration.ofSeconds(3), 4, Duration.ofSeconds(5), 600, pool, metrics, ticker, false, 7));
        assertThat(c.withSocketBufferSize(0)).isEqualTo(new FrameConnConfig(1, Duration.ofSeconds(2),
                Duration.ofSeconds(3), 4, Duration.ofSeconds(5), 600, pool, metrics, ticker, true, 0));
    }

    @Test
    void eachBoundAdmitsItsEdge() {
        FrameConnConfig d = FrameConnConfig.defaults();
        assertThat(d.withMaxPayloadLength(0).maxPayloadLength()).isZero();
        assertThat(d.withMaxPayloadLength(Integer.MAX_VALUE).maxPayloadLength()).isEqualTo(Integer.MAX_VALUE);
        assertThat(d.withDrainLimit(0).drainLimit()).isZero();
        assertThat(d.withReadBufferSize(512).readBufferSize()).isEqualTo(512);
        assertThat(d.withReadBufferSize(1 << 24).readBufferSize()).isEqualTo(1 << 24);
        assertThat(d.withSocketBufferSize(0).socketBufferSize()).isZero();
        assertThat(d.withIdleTimeout(Duration.ZERO).idleTimeout()).isZero();
        assertThat(d.withIdleTimeout(MAX_DURATION).idleTimeout()).isEqualTo(MAX_DURATION);
        assertThat(d.withShutdownTimeout(MAX_DURATION).shutdownTimeout()).isEqualTo(MAX_DURATION);
        assertThat(d.withConnectTimeout(MAX_DURATION).connectTimeout()).isEqualTo(MAX_DURATION);
    }

    @Test
    void eachBoundRefusesOnePastItsEdgeSayingNameAndValue() {
        FrameConnConfig d = FrameConnConfig.defaults();
        assertThatThrownBy(() -> d.withMaxPayloadLength(-1)).hasMessage("maxPayloadLength=-1 must be >= 0");
        assertThatThrownBy(() -> d.withDrainLimit(-1)).hasMessage("drainLimit=-1 must be >= 0");
        assertThatThrownBy(() -> d.withReadBufferSize(511))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readBufferSize=511 must be in 512..16777216");
        assertThatThrownBy(() -> d.withReadBufferSize((1 << 24) + 1))
                .hasMessage("readBufferSize=16777217 must be in 512..16777216");
        assertThatThrownBy(() -> d.withSocketBufferSize(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("socketBufferSize=-1 must be >= 0");
        Duration tooLong = MAX_DURATION.plusNanos(1);
        assertThatThrownBy(() -> d.withIdleTimeout(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout=" + tooLong + " must be at most 36500 days");
        assertThatThrownBy(() -> d.withShutdownTimeout(tooLong))
                .hasMessage("shutdownTimeout=" + tooLong + " must be at most 36500 days");
        assertThatThrownBy(() -> d.withConnectTimeout(Duration.ofNanos(-1)))
                .hasMessage("connectTimeout=PT-0.000000001S must not be negative");
        assertThatThrownBy(() -> d.withConnectTimeout(tooLong))
                .hasMessage("connectTimeout=" + tooLong + " must be at most 36500 days");
        assertThatThrownBy(() -> d.withReadSpin(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readSpin=PT-0.000000001S must not be negative");
    }

    @Test
    void nothingMayBeNull() {
        FrameConnConfig d = FrameConnConfig.defaults();
        assertThatThrownBy(() -> d.withIdleTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("idleTimeout");
        assertThatThrownBy(() -> d.withConnectTimeout(null)).hasMessage("connectTimeout");
        assertThatThrownBy(() -> d.withBufferPool(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("bufferPool");
        assertThatThrownBy(() -> d.withMetrics(null)).hasMessage("metrics");
        assertThatThrownBy(() -> d.withTicker(null)).hasMessage("ticker");
        assertThatThrownBy(() -> d.applySocketBuffers(null)).hasMessage("channel");
    }

    @Test
    void socketBuffersReachAChannelAndZeroLeavesItAlone() throws Exception {
        int size = 96 << 10;
        try (SocketChannel set = SocketChannel.open(); SocketChannel untouched = SocketChannel.open()) {
            int osReceive = untouched.getOption(StandardSocketOptions.SO_RCVBUF);
            int osSend = untouched.getOption(StandardSocketOptions.SO_SNDBUF);
            FrameConnConfig.defaults().withSocketBufferSize(size).applySocketBuffers(set);
            // Linux doubles the value for its bookkeeping; other kernels may round it
            assertThat(set.getOption(StandardSocketOptions.SO_RCVBUF)).isBetween(size, 2 * size);
            assertThat(set.getOption(StandardSocketOptions.SO_SNDBUF)).isBetween(size, 2 * size);
            FrameConnConfig.defaults().applySocketBuffers(untouched);
            assertThat(untouched.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(osReceive);
            assertThat(untouched.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(osSend);
        }
        try (ServerSocketChannel listening = ServerSocketChannel.open()) {
            // a listening channel has SO_RCVBUF only: no SO_SNDBUF is tried
            FrameConnConfig.defaults().withSocketBufferSize(size).applySocketBuffers(listening);
            assertThat(listening.getOption(StandardSocketOptions.SO_RCVBUF)).isBetween(size, 2 * size);
        }
    }
}
