package dev.frameconn;

import static dev.frameconn.TestFrames.concat;
import static dev.frameconn.TestFrames.frame;
import static dev.frameconn.TestFrames.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.metrics.InMemoryMetrics;
import dev.frameconn.metrics.ShutdownStep;
import dev.frameconn.testkit.Fixtures;
import dev.frameconn.wire.FrameHeader;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shutdown drain ({@code Inbound.drain}) over real TCP with a raw peer that
 * has sent everything and half-closed before the shutdown begins: the drain
 * limit to the byte, bytes read ahead counted, and the peer's RST found both
 * among bytes read ahead and among bytes the drain reads itself.
 */
@Timeout(30)
class InboundDrainTest {
    private static final int LIMIT = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    final Fixtures f = new Fixtures();
    private final InMemoryMetrics metrics = new InMemoryMetrics();

    private Fixtures.RawPeer peer() throws Exception {
        return f.track(f.rawPeer(f.config().withMetrics(metrics).withDrainLimit(LIMIT)));
    }

    @Test
    void exactlyTheLimitIsDrainedCleanly() throws Exception {
        Fixtures.RawPeer peer = peer();
        peer.send(new byte[LIMIT]); // frames of type 0, length 0: 125 of them
        peer.raw().shutdownOutput();
        ShutdownResult result = peer.conn().shutdown(TIMEOUT);
        assertThat(result.error()).isNull();
        assertThat(result.clean()).isTrue();
        assertThat(result.drainedBytes()).isEqualTo(LIMIT);
        assertThat(metrics.drainBytes()).isEqualTo(LIMIT);
    }

    @Test
    void oneByteOverTheLimitStopsTheDrain() throws Exception {
        Fixtures.RawPeer peer = peer();
        peer.send(new byte[LIMIT + 1]);
        peer.raw().shutdownOutput();
        ShutdownResult result = peer.conn().shutdown(TIMEOUT);
        assertThat(result.clean()).isFalse();
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.DRAIN);
        assertThat(result.error()).hasMessageContaining("drainLimit=" + LIMIT);
        assertThat(result.drainedBytes()).isEqualTo(LIMIT + 1);
    }

    @Test
    void anRstReadAheadWithAFrameIsFoundAndCounted() throws Exception {
        Fixtures.RawPeer peer = peer();
        // one write: the reader takes both into its probe and hands out the first frame only
        peer.send(concat(frame(1, new byte[] {1, 2, 3}), header(FrameHeader.RST, 0)));
        try (Frame frame = peer.conn().readFrame()) {
            assertThat(frame.type()).isEqualTo(1);
        }
        peer.send(frame(2, new byte[10]));
        peer.raw().shutdownOutput();
        ShutdownResult result = peer.conn().shutdown(TIMEOUT);
        assertThat(result.clean()).isTrue();
        assertThat(result.peerAnswered()).as("the RST read ahead with the first frame").isTrue();
        assertThat(result.drainedBytes()).as("the RST read ahead and the frame after it").isEqualTo(8 + 18);
    }

    @Test
    void anRstTheDrainReadsIsFound() throws Exception {
        Fixtures.RawPeer peer = peer();
        peer.send(concat(frame(1, new byte[40]), frame(2, new byte[0]), header(FrameHeader.RST, 4),
                new byte[] {0, 0, 0, 0}));
        peer.raw().shutdownOutput();
        ShutdownResult result = peer.conn().shutdown(TIMEOUT);
        assertThat(result.clean()).isTrue();
        assertThat(result.peerAnswered()).isTrue();
        assertThat(result.drainedBytes()).isEqualTo(48 + 8 + 12);
    }

    @Test
    void framesWithoutAnRstAreNoAnswer() throws Exception {
        Fixtures.RawPeer peer = peer();
        peer.send(concat(frame(1, new byte[40]), frame(2, header(FrameHeader.RST, 0))));
        peer.raw().shutdownOutput();
        ShutdownResult result = peer.conn().shutdown(TIMEOUT);
        assertThat(result.clean()).isTrue();
        assertThat(result.peerAnswered()).isFalse();
    }
}
