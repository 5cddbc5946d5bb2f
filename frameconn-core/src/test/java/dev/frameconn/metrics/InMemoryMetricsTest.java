package dev.frameconn.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each total of {@link InMemoryMetrics} counts what its name says and nothing else. */
@Timeout(10)
class InMemoryMetricsTest {
    @Test
    void startsAtZero() {
        InMemoryMetrics m = new InMemoryMetrics();
        assertThat(m.toString()).isEqualTo("framesRead=0 bytesRead=0 framesWritten=0 bytesWritten=0 shutdowns=0"
                + " shutdownNanos=0 drainNanos=0 drainBytes=0 hardCloses=0 closeErrors=0");
        for (ShutdownStep step : ShutdownStep.values()) {
            assertThat(m.hardCloses(step)).isZero();
            assertThat(m.closeErrors(step)).isZero();
        }
    }

    @Test
    void eachTotalCountsItsOwnEvents() {
        InMemoryMetrics m = new InMemoryMetrics();
        m.frameRead(1, 10);
        m.frameRead(2, 20);
        m.frameWritten(3, 300);
        m.shutdownCompleted(4_000);
        m.shutdownCompleted(5_000);
        m.shutdownCompleted(6_000);
        m.shutdownDrained(700, 80);
        m.shutdownHardClose(ShutdownStep.DRAIN);
        m.shutdownHardClose(ShutdownStep.DRAIN);
        m.shutdownHardClose(ShutdownStep.CLOSE_WRITE);
        m.shutdownCloseError(ShutdownStep.CLOSE);
        assertThat(m.framesRead()).isEqualTo(2);
        assertThat(m.bytesRead()).isEqualTo(30);
        assertThat(m.framesWritten()).isEqualTo(1);
        assertThat(m.bytesWritten()).isEqualTo(300);
        assertThat(m.shutdowns()).isEqualTo(3);
        assertThat(m.shutdownNanos()).isEqualTo(15_000);
        assertThat(m.drains()).isEqualTo(1);
        assertThat(m.drainNanos()).isEqualTo(700);
        assertThat(m.drainBytes()).isEqualTo(80);
        assertThat(m.hardCloses(ShutdownStep.DRAIN)).isEqualTo(2);
        assertThat(m.hardCloses(ShutdownStep.CLOSE_WRITE)).isEqualTo(1);
        assertThat(m.hardCloses(ShutdownStep.CLOSE)).isZero();
        assertThat(m.hardCloses()).isEqualTo(3);
        assertThat(m.closeErrors(ShutdownStep.CLOSE)).isEqualTo(1);
        assertThat(m.closeErrors(ShutdownStep.DRAIN)).isZero();
        assertThat(m.closeErrors()).isEqualTo(1);
        assertThat(m.toString()).isEqualTo("framesRead=2 bytesRead=30 framesWritten=1 bytesWritten=300 shutdowns=3"
                + " shutdownNanos=15000 drainNanos=700 drainBytes=80 hardCloses=3 closeErrors=1");
    }

    @Test
    void theNoopSinkAcceptsEverything() {
        FrameConnMetrics noop = FrameConnMetrics.NOOP;
        noop.frameRead(1, 1);
        noop.frameWritten(1, 1);
        noop.shutdownCompleted(1);
        noop.shutdownDrained(1, 1);
        noop.shutdownHardClose(ShutdownStep.CLOSE);
        noop.shutdownCloseError(ShutdownStep.CLOSE);
        assertThat(ShutdownStep.WRITE_FRAME.label()).isEqualTo("write_frame");
        assertThat(ShutdownStep.CLOSE_WRITE.label()).isEqualTo("close_write");
    }
}
