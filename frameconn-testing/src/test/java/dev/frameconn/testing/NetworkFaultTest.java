package dev.frameconn.testing;

import static dev.frameconn.testing.Harness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.ConnectionResetException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.ShutdownResult;
import dev.frameconn.metrics.InMemoryMetrics;
import dev.frameconn.metrics.ShutdownStep;
import dev.frameconn.testing.FaultProxy.Direction;
import dev.frameconn.testkit.Fixtures;
import dev.frameconn.wire.FrameHeader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Faults of the peer or the network over real sockets, injected with the
 * {@link FaultProxy} or by a raw peer: resets mid-frame, stalls in either
 * direction, and peers that keep sending while we drain at shutdown.
 */
class NetworkFaultTest {
    private static final Duration IDLE = Duration.ofSeconds(1);
    /** Slack on real-time bounds: the machine is small and shared. */
    private static final Duration SLACK = Duration.ofSeconds(15);

    /** A raw peer behind a proxy; our connection is the client of the proxy. */
    private record Proxied(FrameConn conn, SocketChannel peer, FaultProxy proxy) {}

    private static Proxied proxied(Harness h, FrameConnConfig config) throws Exception {
        ServerSocketChannel listener = h.listener();
        FaultProxy proxy = h.track(FaultProxy.start((InetSocketAddress) listener.getLocalAddress()));
        FrameConn conn = h.track(FrameConn.connect(proxy.address(), config));
        SocketChannel peer = h.accept(listener, () -> "the proxy " + proxy.address());
        return new Proxied(conn, peer, proxy);
    }

    private static void sendPartialFrame(SocketChannel peer, int length, int sent) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(FrameHeader.LENGTH + sent);
        b.put(FrameHeader.toBytes(1, length)).put(new byte[sent]).flip();
        while (b.hasRemaining()) {
            peer.write(b);
        }
    }

    @Test
    void proxyResetMidFrameIsConnectionReset() throws Exception {
        try (Harness h = new Harness()) {
            Proxied p = proxied(h, h.config());
            sendPartialFrame(p.peer(), 5000, 1234);
            p.proxy().awaitForwarded(Direction.DOWNSTREAM, FrameHeader.LENGTH + 1234, WAIT);
            Future<Frame> read = h.submitAndAwaitBlocked(p.conn()::readFrame);
            p.proxy().reset();
            assertThat(Harness.failure(read, WAIT)).as("read mid-frame when the proxy reset")
                    .isInstanceOf(ConnectionResetException.class);
        }
    }

    @Test
    void peerAbortiveCloseMidFrameIsConnectionReset() throws Exception {
        try (Harness h = new Harness()) {
            Fixtures.RawPeer p = h.rawPeer(h.config());
            sendPartialFrame(p.raw(), 5000, 1234);
            Future<Frame> read = h.submitAndAwaitBlocked(p.conn()::readFrame);
            p.raw().setOption(StandardSocketOptions.SO_LINGER, 0);
            p.raw().close(); // TCP RST
            assertThat(Harness.failure(read, WAIT)).as("read mid-frame when the peer reset")
                    .isInstanceOf(ConnectionResetException.class);
        }
    }

    @Test
    void proxyResetWhileWritingIsConnectionReset() throws Exception {
        try (Harness h = new Harness()) {
            Proxied p = proxied(h, h.config());
            p.proxy().stall(Direction.UPSTREAM);
            byte[] chunk = new byte[1 << 20];
            Future<Void> writer = h.submitAndAwaitBlocked(() -> {
                while (true) {
                    p.conn().writeFrame(1, chunk);
                }
            });
            p.proxy().reset();
            assertThat(Harness.failure(writer, WAIT)).as("blocked writer when the proxy reset")
                    .isInstanceOf(ConnectionResetException.class);
        }
    }

    @Test
    void peerThatStopsReadingFailsOurWriterByItsIdleTimeout() throws Exception {
        try (Harness h = new Harness()) {
            Proxied p = proxied(h, h.config().withIdleTimeout(IDLE));
            p.proxy().stall(Direction.UPSTREAM);
            long stalledAt = System.nanoTime();
            byte[] chunk = new byte[256 << 10];
            long[] frames = new long[1];
            Future<Void> writer = h.submit(() -> {
                while (true) {
                    p.conn().writeFrame(1, chunk);
                    frames[0]++;
                }
            });
            Throwable failure = Harness.failure(writer, IDLE.plus(SLACK).plus(WAIT));
            Duration took = Duration.ofNanos(System.nanoTime() - stalledAt);
            assertThat(failure).as("writer after %d frames, %s", frames[0], p.proxy())
                    .isInstanceOfSatisfying(FrameTimeoutException.class,
                            e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.WRITE_IDLE));
            // no sooner than the idle timeout, no later than the timeout plus filling the buffers plus slack
            assertThat(took).isGreaterThanOrEqualTo(IDLE).isLessThan(IDLE.plus(SLACK));
            assertThat(p.conn().isOpen()).as("closed abortively after the timeout").isFalse();
        }
    }

    @Test
    void networkStallMidFrameFailsOurReaderByItsIdleTimeout() throws Exception {
        try (Harness h = new Harness()) {
            Proxied p = proxied(h, h.config().withIdleTimeout(IDLE));
            sendPartialFrame(p.peer(), 5000, 1234);
            p.proxy().awaitForwarded(Direction.DOWNSTREAM, FrameHeader.LENGTH + 1234, WAIT);
            p.proxy().stall(Direction.DOWNSTREAM);
            p.peer().write(ByteBuffer.wrap(new byte[100])); // held back by the proxy
            long stalledAt = System.nanoTime();
            Future<Frame> read = h.submit(p.conn()::readFrame);
            Throwable failure = Harness.failure(read, IDLE.plus(SLACK));
            assertThat(failure).isInstanceOfSatisfying(FrameTimeoutException.class,
                    e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.READ_IDLE));
            assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).isLessThan(IDLE.plus(SLACK));
        }
    }

    @Test
    void peerThatKeepsSendingDuringOurDrainIsCutOffAtTheByteBound() throws Exception {
        try (Harness h = new Harness()) {
            long limit = 1 << 20;
            InMemoryMetrics metrics = new InMemoryMetrics();
            FrameConnConfig config = h.config().withDrainLimit(limit).withShutdownTimeout(Duration.ofSeconds(20))
                    .withMetrics(metrics);
            ServerSocketChannel listener = h.listener();
            PeerProcess peer = h.track(PeerProcess.start("flood", "connect=" + PeerKillTest.hostPort(listener),
                    "size=65536"));
            FrameConn conn = h.track(FrameConn.wrap(h.accept(listener, peer::describe), config));
            peer.awaitLine("CONNECTED", WAIT);
            try (Frame first = conn.readFrame()) {
                assertThat(first.length()).isEqualTo(65536); // the flood is flowing
            }
            ShutdownResult result = conn.shutdown();
            assertThat(result.clean()).as("%s", result).isFalse();
            assertThat(result.failedStep()).as("%s", result).isEqualTo(ShutdownStep.DRAIN);
            assertThat(result.drainedBytes()).as("%s", result)
                    .isGreaterThan(limit).isLessThanOrEqualTo(limit + config.readBufferSize());
            assertThat(result.duration()).as("%s", result).isLessThan(config.shutdownTimeout());
            assertThat(metrics.hardCloses(ShutdownStep.DRAIN)).as("metrics %s", metrics).isEqualTo(1);
            assertThat(metrics.drainBytes()).as("metrics %s", metrics).isEqualTo(result.drainedBytes());
            // our abortive close reaches the peer as a reset: it stops at once
            assertThat(peer.awaitLine("FLOOD_ENDED", WAIT)).contains("ConnectionResetException");
            assertThat(peer.awaitExit(WAIT)).as(peer.describe()).isZero();
        }
    }

    @Test
    void slowPeerThatKeepsSendingDuringOurDrainIsCutOffAtTheDeadline() throws Exception {
        try (Harness h = new Harness()) {
            Proxied p = proxied(h, h.config().withDrainLimit(64L << 20));
            p.proxy().throttle(Direction.DOWNSTREAM, 200_000);
            Future<Void> flood = h.submit(() -> {
                ByteBuffer frame = ByteBuffer.allocate(FrameHeader.LENGTH + 1000);
                FrameHeader.encode(frame, 0, 1, 1000);
                try {
                    while (true) {
                        p.peer().write(frame.clear());
                    }
                } catch (java.io.IOException expected) {
                    return null; // reset by our abortive close
                }
            });
            Duration timeout = Duration.ofSeconds(1);
            ShutdownResult result = p.conn().shutdown(timeout);
            assertThat(result.clean()).as("%s", result).isFalse();
            assertThat(result.failedStep()).as("%s", result).isEqualTo(ShutdownStep.DRAIN);
            assertThat(result.error()).as("%s", result).isInstanceOfSatisfying(FrameTimeoutException.class,
                    e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.DEADLINE));
            assertThat(result.duration()).as("%s", result).isGreaterThanOrEqualTo(timeout)
                    .isLessThan(timeout.plus(SLACK));
            assertThat(result.drainedBytes()).as("%s", result).isPositive();
            p.peer().close();
            Harness.get(flood, WAIT);
        }
    }
}
