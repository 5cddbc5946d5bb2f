package dev.frameconn;

import static dev.frameconn.TestFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.heartbeat.ManualTicker;
import dev.frameconn.testkit.Fixtures;
import dev.frameconn.wire.FrameHeader;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read idle timeout covers exactly the read calls of {@code Inbound}: a
 * reader waiting for a header or inside a large payload (the scattering read)
 * times out, a connection idle between reads does not. Over real TCP with raw
 * peers, on a manual clock: nothing waits for real time to pass.
 *
 * <p>Whether a timer looked and found nothing due cannot be seen directly, so a
 * <em>sentinel</em> connection on the same clock, with an absolute deadline later
 * than the connection under test's timer, shows that the timer thread has been
 * past: timers of one clock fire in deadline order on one thread.
 */
@Timeout(30)
class InboundReadTimeoutTest {
    private static final Duration IDLE = Duration.ofSeconds(1);
    /** How long a timeout that must have fired already may take to show (its abort runs on a thread of its own). */
    private static final Duration SHOWS = Duration.ofSeconds(2);

    @RegisterExtension
    final Fixtures f = new Fixtures();
    private final ManualTicker ticker = new ManualTicker();

    private FrameConnConfig config() {
        // no spin: a spin polls the manual clock, which does not move by itself
        return f.config().withTicker(ticker).withIdleTimeout(IDLE).withReadSpin(Duration.ZERO);
    }

    @Test
    void aReaderWaitingForAHeaderTimesOut() throws Exception {
        Fixtures.RawPeer peer = f.rawPeer(config());
        Future<Frame> read = f.submitAndAwaitBlocked(peer.conn()::readFrame);
        Future<Frame> sentinel = sentinel(Duration.ofMillis(1500));
        ticker.advance(Duration.ofSeconds(2));
        assertTimedOut(sentinel, FrameTimeoutException.Kind.DEADLINE);
        assertTimedOut(read, FrameTimeoutException.Kind.READ_IDLE);
    }

    @Test
    void aReaderWaitingInsideALargePayloadTimesOut() throws Exception {
        Fixtures.RawPeer peer = f.rawPeer(config());
        // the header and 100 of 20000 bytes: the rest is far over half the read buffer, so the
        // reader waits for it in the scattering read
        peer.send(Arrays.copyOf(frame(5, new byte[20_000]), FrameHeader.LENGTH + 100));
        Future<Frame> read = f.submitAndAwaitBlocked(peer.conn()::readFrame);
        Future<Frame> sentinel = sentinel(Duration.ofMillis(1500));
        ticker.advance(Duration.ofSeconds(2));
        assertTimedOut(sentinel, FrameTimeoutException.Kind.DEADLINE);
        assertTimedOut(read, FrameTimeoutException.Kind.READ_IDLE);
    }

    @Test
    void aConnectionIdleBetweenReadsDoesNotTimeOut() throws Exception {
        Fixtures.RawPeer peer = f.rawPeer(config());
        FrameConn conn = peer.conn();

        // a small frame: its last read call is a plain read
        peer.send(frame(1, new byte[] {1, 2, 3}));
        conn.readFrame().close();
        Future<Frame> sentinel = sentinel(Duration.ofMillis(1500));
        ticker.advance(Duration.ofSeconds(2));
        assertTimedOut(sentinel, FrameTimeoutException.Kind.DEADLINE);
        assertStillReads(peer, 2);

        // a large frame already in the socket: the probe takes its first bytes, one scattering
        // read the rest, and that is the last read call
        peer.send(frame(3, new byte[20_000]));
        try (Frame large = conn.readFrame()) {
            assertThat(large.payload().remaining()).isEqualTo(20_000);
        }
        Future<Frame> second = sentinel(Duration.ofMillis(1500));
        ticker.advance(Duration.ofSeconds(2));
        assertTimedOut(second, FrameTimeoutException.Kind.DEADLINE);
        assertStillReads(peer, 4);
    }

    @Test
    void aClearedDeadlineDoesNotExpire() throws Exception {
        Fixtures.RawPeer peer = f.rawPeer(config().withIdleTimeout(Duration.ZERO));
        FrameConn conn = peer.conn();
        conn.setDeadline(Duration.ofSeconds(1));
        conn.clearDeadline();
        Future<Frame> read = f.submitAndAwaitBlocked(conn::readFrame);
        Future<Frame> sentinel = sentinel(Duration.ofMillis(1500));
        ticker.advance(Duration.ofSeconds(2));
        assertTimedOut(sentinel, FrameTimeoutException.Kind.DEADLINE);
        // the reader still waits: it gets the next frame
        peer.send(frame(2, new byte[] {7}));
        try (Frame frame = Fixtures.get(read)) {
            assertThat(frame.type()).isEqualTo(2);
        }
        assertStillReads(peer, 3);
    }

    /** A reader on a connection of the same clock whose deadline is {@code after} from now. */
    private Future<Frame> sentinel(Duration after) throws Exception {
        FrameConn other = f.rawPeer(config().withIdleTimeout(Duration.ZERO)).conn();
        other.setDeadline(after);
        return f.submitAndAwaitBlocked(other::readFrame);
    }

    private static void assertTimedOut(Future<Frame> read, FrameTimeoutException.Kind kind) throws Exception {
        assertThat(Fixtures.failure(read, SHOWS)).isInstanceOfSatisfying(FrameTimeoutException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            // the timeout that fired: the idle timeout, or none for the absolute deadline
            assertThat(e.timeout()).isEqualTo(kind == FrameTimeoutException.Kind.DEADLINE ? Duration.ZERO : IDLE);
            assertThat(e).hasMessage(kind == FrameTimeoutException.Kind.DEADLINE
                    ? "frameconn: deadline exceeded"
                    : "frameconn: read timed out: no data for idleTimeout=PT1S");
        });
    }

    private static void assertStillReads(Fixtures.RawPeer peer, int type) throws Exception {
        peer.send(frame(type, new byte[] {7}));
        try (Frame frame = peer.conn().readFrame()) {
            assertThat(frame.type()).isEqualTo(type);
        }
        assertThat(peer.conn().isOpen()).as("not aborted by a read timeout").isTrue();
    }
}
