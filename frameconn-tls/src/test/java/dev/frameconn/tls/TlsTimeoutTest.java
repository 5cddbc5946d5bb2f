package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.ConnectionBrokenException;
import dev.frameconn.Frame;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.ShutdownResult;
import dev.frameconn.metrics.ShutdownStep;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core's idle timeouts and shutdown deadline, over TLS, in real time with generous slack. */
class TlsTimeoutTest {
    private static final Duration IDLE = Duration.ofMillis(300);
    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    private TlsFixtures.TlsPair pairWithServerIdle(Duration idle) throws Exception {
        return f.tlsPair(TlsFixtures.clientTls(), TlsFixtures.serverTls(), f.config(), f.config().withIdleTimeout(idle));
    }

    @Test
    void silentPeerFailsTheReadByIdleTimeout() throws Exception {
        TlsFixtures.TlsPair p = pairWithServerIdle(IDLE);
        long start = System.nanoTime();
        assertThatThrownBy(p.server().conn()::readFrame).isInstanceOfSatisfying(FrameTimeoutException.class,
                e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.READ_IDLE));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 10_000L);
        assertThat(p.server().conn().isOpen()).isFalse();
        assertThatThrownBy(p.server().conn()::readFrame).isInstanceOf(ConnectionBrokenException.class);
        // the abortive close reaches the client as an error, never a hang
        assertThatThrownBy(p.client().conn()::readFrame).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void writerWhosePeerStoppedReadingFailsByIdleTimeout() throws Exception {
        TlsFixtures.TlsPair p = pairWithServerIdle(IDLE);
        ByteBuffer big = ByteBuffer.allocateDirect(1 << 20);
        long start = System.nanoTime();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 10_000; i++) {
                p.server().conn().writeFrame(1, big.duplicate());
            }
        }).isInstanceOfSatisfying(FrameTimeoutException.class,
                e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.WRITE_IDLE));
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(20));
        assertThatThrownBy(() -> p.server().conn().writeFrame(1, big.duplicate()))
                .isInstanceOf(ConnectionBrokenException.class);
    }

    @Test
    void slowButSteadyPeerIsNotTimedOut() throws Exception {
        TlsFixtures.TlsPair p = pairWithServerIdle(Duration.ofMillis(800));
        Future<Integer> reads = f.submit(() -> {
            int n = 0;
            for (int i = 0; i < 8; i++) {
                try (Frame frame = p.server().conn().readFrame()) {
                    n += frame.length();
                }
            }
            return n;
        });
        // 8 frames 200 ms apart: 1.6 s in all, twice the idle timeout, never idle for long
        for (int i = 0; i < 8; i++) {
            p.client().conn().writeFrame(1, new byte[100]);
            Thread.sleep(200); // the peer being slow is the point of this test
        }
        assertThat(TlsFixtures.get(reads)).isEqualTo(800);
    }

    @Test
    void shutdownIsBoundedByItsDeadlineWhenThePeerNeverAnswers() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        long start = System.nanoTime();
        ShutdownResult result = p.client().conn().shutdown(Duration.ofMillis(500));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(result.clean()).isFalse();
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.DRAIN);
        assertThat(millis).isBetween(400L, 10_000L);
    }
}
