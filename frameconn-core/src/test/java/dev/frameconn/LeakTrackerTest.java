package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.metrics.ShutdownStep;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leak detector's switch and its report path, driven directly (the cleaning action is run by
 * the test rather than by a garbage collection, so nothing here waits on the collector; the
 * collector's side is {@link LeakDetectorTest}). Also how a {@link ShutdownResult} reads.
 */
@Timeout(10)
class LeakTrackerTest {
    private final BufferPool pool = new BufferPool(6, 8, 2, 1024, true);

    @AfterEach
    void restore() {
        LeakDetector.enable(); // the suite runs with it on
        LeakDetector.resetListener();
    }

    private Frame frame(int type, int length) {
        return new Frame(pool, null).fill(type, pool.acquire(length));
    }

    @Test
    void theSwitchDecidesWhetherFramesAreTracked() {
        LeakDetector.disable();
        assertThat(LeakDetector.isEnabled()).isFalse();
        Frame untracked = frame(1, 1);
        assertThat(LeakDetector.track(untracked, 1, 1)).isNull();
        untracked.close();
        LeakDetector.enable();
        assertThat(LeakDetector.isEnabled()).isTrue();
        Frame tracked = frame(1, 1);
        LeakDetector.Tracker second = LeakDetector.track(tracked, 1, 1);
        assertThat(second).isNotNull();
        second.closed(); // or it would report this frame once it is collected
        tracked.close();
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void anOpenFramesTrackerReportsOnceToTheListenerWithWhereItWasRead() {
        List<LeakDetector.Leak> leaks = new ArrayList<>();
        LeakDetector.setListener(leaks::add);
        LeakDetector.Tracker tracker = new LeakDetector.Tracker(new LeakDetector.Leak(0x2a, 3));
        long before = LeakDetector.leaksReported();
        tracker.run();
        assertThat(LeakDetector.leaksReported()).isEqualTo(before + 1);
        assertThat(leaks).singleElement().satisfies(leak -> {
            assertThat(leak).hasMessage("frameconn: frame type=0x0000002a length=3 was garbage-collected"
                    + " without close(); it was read here:");
            assertThat(leak.getStackTrace()[0].getMethodName())
                    .isEqualTo("anOpenFramesTrackerReportsOnceToTheListenerWithWhereItWasRead");
        });
    }

    @Test
    void aClosedFramesTrackerReportsNothing() {
        List<LeakDetector.Leak> leaks = new ArrayList<>();
        LeakDetector.setListener(leaks::add);
        LeakDetector.enable();
        Frame f = frame(5, 2);
        LeakDetector.Tracker tracker = LeakDetector.track(f, 5, 2);
        long before = LeakDetector.leaksReported();
        tracker.closed(); // as Frame.close does
        tracker.run();
        assertThat(leaks).isEmpty();
        assertThat(LeakDetector.leaksReported()).isEqualTo(before);
        f.close();
    }

    @Test
    void aThrowingListenerIsContainedAndTheLeakStillCounts() {
        LeakDetector.setListener(leak -> {
            throw new IllegalStateException("listener bug");
        });
        long before = LeakDetector.leaksReported();
        new LeakDetector.Tracker(new LeakDetector.Leak(1, 1)).run(); // must not throw
        assertThat(LeakDetector.leaksReported()).isEqualTo(before + 1);
    }

    @Test
    void aNullListenerIsRefused() {
        assertThatThrownBy(() -> LeakDetector.setListener(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("listener");
    }

    @Test
    void aShutdownResultSaysWhatFailed() {
        ShutdownResult clean = new ShutdownResult(true, null, null, 12, false, true, Duration.ofMillis(3));
        assertThat(clean.failure()).isEmpty();
        assertThat(clean.toString()).isEqualTo("ShutdownResult[clean=true, drainedBytes=12, peerInitiated=false,"
                + " peerAnswered=true, duration=PT0.003S]");
        ShutdownResult failed = new ShutdownResult(false, ShutdownStep.DRAIN, new IOException("reset"), 0, true,
                false, Duration.ofSeconds(1));
        assertThat(failed.failure()).contains(ShutdownStep.DRAIN);
        assertThat(failed.toString()).isEqualTo("ShutdownResult[clean=false, failedStep=drain, error=reset,"
                + " drainedBytes=0, peerInitiated=true, peerAnswered=false, duration=PT1S]");
    }
}
