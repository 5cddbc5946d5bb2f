package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.testkit.Fixtures;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §4 over real sockets and real time. Timings get generous slack: the
 * test machine has two busy cores. The clock-driven logic itself is tested in
 * {@code DeadlinesTest} without real time.
 */
class TimeoutTest {
    private static final Duration IDLE = Duration.ofMillis(300);
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void silentPeerFailsTheReadAndBreaksTheConnection() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withIdleTimeout(IDLE)));
        long start = System.nanoTime();
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOfSatisfying(FrameTimeoutException.class, e -> {
            assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.READ_IDLE);
            assertThat(e.timeout()).isEqualTo(IDLE);
        }).hasMessageContaining("idleTimeout=PT0.3S");
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(elapsedMs).isBetween(250L, 10_000L);
        assertThat(peer.conn().isOpen()).as("closed abortively after a timeout").isFalse();
        assertThatThrownBy(() -> peer.conn().writeFrame(1, new byte[1])).isInstanceOf(FrameTimeoutException.class);
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(ConnectionBrokenException.class)
                .hasCauseInstanceOf(FrameTimeoutException.class);
        // the abortive close reaches the peer as a reset or end of stream, never as a hang
        assertThatThrownBy(peer::receiveAll).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void writerWhosePeerStoppedReadingFailsByTimeout() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withIdleTimeout(IDLE)));
        ByteBuffer big = ByteBuffer.allocateDirect(1 << 20);
        long start = System.nanoTime();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 10_000; i++) { // socket buffers fill after a few MiB
                peer.conn().writeFrame(1, big);
            }
        }).isInstanceOfSatisfying(FrameTimeoutException.class,
                e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.WRITE_IDLE));
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(20));
        assertThatThrownBy(() -> peer.conn().writeFrame(1, big)).isInstanceOf(ConnectionBrokenException.class);
    }

    @Test
    void progressRenewsTheIdleTimeout() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withIdleTimeout(Duration.ofMillis(1500))));
        byte[] frame = new byte[8 + 12];
        dev.frameconn.wire.FrameHeader.encode(frame, 0, 2, 12);
        Future<Frame> read = f.threads.submit(peer.conn()::readFrame);
        // 20 bytes, one every 150 ms: 3 s in all, twice the idle timeout, never idle for long
        for (byte b : frame) {
            peer.send(new byte[] {b});
            Thread.sleep(150); // the peer being slow is the point of this test
        }
        try (Frame got = Fixtures.get(read)) {
            assertThat(got.length()).isEqualTo(12);
        }
    }

    @Test
    void switchedOffTimeoutNeverFires() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withIdleTimeout(Duration.ofMillis(100))));
        peer.conn().setIdleTimeout(Duration.ZERO);
        assertThat(peer.conn().idleTimeout()).isZero();
        Future<Frame> read = f.threads.submit(peer.conn()::readFrame);
        Thread.sleep(600); // silence for six times the old timeout
        peer.send(new byte[] {0, 0, 0, 1, 0, 0, 0, 0});
        Fixtures.get(read).close();
    }

    @Test
    void absoluteDeadlineEndsABlockedRead() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withIdleTimeout(Duration.ZERO)));
        peer.conn().setDeadline(Duration.ofMillis(300));
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOfSatisfying(FrameTimeoutException.class,
                e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.DEADLINE));
        assertThat(peer.conn().isOpen()).isFalse();
    }

    @Test
    void resetWriteTimeoutKeepsABlockedWriterAlive() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withIdleTimeout(IDLE)));
        AtomicBoolean renewing = new AtomicBoolean(true);
        Future<?> renewer = f.threads.submit(() -> {
            while (renewing.get()) {
                peer.conn().resetWriteTimeout(); // as the heartbeat layer does when the peer proves alive
                Thread.sleep(50);
            }
            return null;
        });
        long start = System.nanoTime();
        Future<?> writer = f.threads.submit(() -> {
            ByteBuffer big = ByteBuffer.allocateDirect(1 << 20);
            while (true) {
                peer.conn().writeFrame(1, big);
            }
        });
        Thread.sleep(1500); // five idle timeouts while the renewer keeps it alive
        assertThat(writer.isDone()).as("writer kept alive by resetWriteTimeout").isFalse();
        renewing.set(false);
        Fixtures.get(renewer);
        assertThatThrownBy(() -> Fixtures.get(writer)).isInstanceOf(FrameTimeoutException.class);
        assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(1500));
    }
}
