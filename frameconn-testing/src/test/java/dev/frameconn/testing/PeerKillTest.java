package dev.frameconn.testing;

import static dev.frameconn.testing.Harness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.ConnectionBrokenException;
import dev.frameconn.ConnectionResetException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.TruncatedFrameException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The peer process dies by SIGKILL ({@code destroyForcibly}): no close, no
 * RST frame. The kernel closes its socket, with FIN if it had read everything
 * and with TCP RST if data we sent was still unread. Each case has exactly one
 * right classification, and nothing of ours may hang.
 */
class PeerKillTest {
    private static final int FRAMES = 3;
    private static final int SIZE = 5000;
    private static final int PARTIAL = 1234;

    @Test
    void killedAfterHalfAFrameIsATruncatedPayloadAfterEveryWholeFrame() throws Exception {
        try (Harness h = new Harness()) {
            ServerSocketChannel listener = h.listener();
            PeerProcess peer = h.track(PeerProcess.start("partial", "connect=" + hostPort(listener),
                    "frames=" + FRAMES, "size=" + SIZE, "partial=" + PARTIAL));
            FrameConn conn = h.track(FrameConn.wrap(h.accept(listener, peer::describe), h.config()));
            for (int seq = 0; seq < FRAMES; seq++) {
                try (Frame f = conn.readFrame()) {
                    assertThat(f.toByteArray()).as("frame %d of %s", seq, peer).isEqualTo(PeerMain.payload(seq, SIZE));
                }
            }
            peer.awaitLine("PARTIAL_SENT", WAIT);
            Future<Frame> read = h.submitAndAwaitBlocked(conn::readFrame);
            long killedAt = System.nanoTime();
            peer.kill();
            Throwable failure = Harness.failure(read, WAIT);
            assertThat(failure).as("read after SIGKILL of %s", peer.describe())
                    .isInstanceOfSatisfying(TruncatedFrameException.class, e -> {
                        assertThat(e.received()).isEqualTo(PARTIAL);
                        assertThat(e.expected()).isEqualTo(SIZE);
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(10));
            assertThatThrownBy(conn::readFrame).isInstanceOf(ConnectionBrokenException.class);
        }
    }

    @Test
    void killedWithOurDataUnreadIsAResetForTheBlockedReaderAndTheNextWriter() throws Exception {
        try (Harness h = new Harness()) {
            StoppedReader peer = stoppedReader(h);
            peer.conn().writeFrame(1, new byte[100_000]); // fits in the socket buffers; the peer never reads it
            Future<Frame> read = h.submitAndAwaitBlocked(peer.conn()::readFrame);
            peer.process().kill();
            assertThat(Harness.failure(read, WAIT)).as("blocked read, peer %s", peer.process().describe())
                    .isInstanceOf(ConnectionResetException.class);
            assertThatThrownBy(() -> peer.conn().writeFrame(1, new byte[10])).as("write after the reset")
                    .isInstanceOf(ConnectionResetException.class);
        }
    }

    @Test
    void killedWhileOurWriterIsBlockedFailsTheWriterWithResetNotTimeout() throws Exception {
        try (Harness h = new Harness()) {
            StoppedReader peer = stoppedReader(h);
            byte[] chunk = new byte[1 << 20];
            // keeps writing until the peer's buffers are full and a write blocks mid-frame
            Future<Void> writer = h.submitAndAwaitBlocked(() -> {
                while (true) {
                    peer.conn().writeFrame(1, chunk);
                }
            });
            long killedAt = System.nanoTime();
            peer.process().kill();
            assertThat(Harness.failure(writer, WAIT)).as("blocked writer, peer %s", peer.process().describe())
                    .isInstanceOf(ConnectionResetException.class);
            // the idle timeout is 30 s: the reset, not the timeout, ended the write
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(10));
        }
    }

    /** Our connection to a peer process that never reads what we send. */
    private record StoppedReader(PeerProcess process, FrameConn conn) {}

    private static StoppedReader stoppedReader(Harness h) throws Exception {
        ServerSocketChannel listener = h.listener();
        PeerProcess peer = h.track(PeerProcess.start("stop-reading", "connect=" + hostPort(listener)));
        FrameConn conn = h.track(FrameConn.wrap(h.accept(listener, peer::describe), h.config()));
        peer.awaitLine("CONNECTED", WAIT);
        return new StoppedReader(peer, conn);
    }

    static String hostPort(ServerSocketChannel listener) throws java.io.IOException {
        InetSocketAddress a = (InetSocketAddress) listener.getLocalAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
