package dev.frameconn.testing;

import static dev.frameconn.testing.Harness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.testing.FaultProxy.Direction;
import dev.frameconn.wire.FrameHeader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The write idle timeout is renewed by every bit of progress, not a bound on a whole transfer:
 * through a {@link FaultProxy} that forwards our bytes slowly but steadily, a transfer that
 * takes several idle timeouts succeeds; the same transfer through a stalled proxy fails with
 * the write idle timeout.
 */
class SlowProgressWriteTimeoutTest {
    private static final Duration IDLE = Duration.ofSeconds(1);
    /**
     * 512 KiB/s: the proxy reads about 20 ms worth at a time, and with 64 KiB socket buffers
     * our writer gets room back every ~130 ms (loopback window updates come per 64 KiB): far
     * inside the idle timeout. The transfer, 3 MiB, needs about 6 s: several idle timeouts.
     */
    private static final long RATE = 512 << 10;
    private static final int FRAME = 128 << 10;
    private static final int FRAMES = 24;
    private static final long TOTAL = (long) FRAMES * (FrameHeader.LENGTH + FRAME);
    private static final Duration SLACK = Duration.ofSeconds(15);

    private record Proxied(FrameConn conn, SocketChannel peer, FaultProxy proxy) {}

    private static Proxied proxied(Harness h) throws Exception {
        FrameConnConfig config = h.config().withIdleTimeout(IDLE).withSocketBufferSize(64 << 10);
        ServerSocketChannel listener = h.listener();
        FaultProxy proxy = h.track(FaultProxy.start((InetSocketAddress) listener.getLocalAddress()));
        FrameConn conn = h.track(FrameConn.connect(proxy.address(), config));
        SocketChannel peer = h.accept(listener, () -> "the proxy " + proxy.address());
        return new Proxied(conn, peer, proxy);
    }

    /** The peer reads everything as fast as it comes; returns the byte count at end of stream. */
    private static long drain(SocketChannel peer) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        long total = 0;
        int n;
        while ((n = peer.read(b.clear())) >= 0) {
            total += n;
        }
        return total;
    }

    private static Future<Long> write(Harness h, FrameConn conn) {
        byte[] payload = new byte[FRAME];
        return h.submit(() -> {
            long start = System.nanoTime();
            for (int i = 0; i < FRAMES; i++) {
                conn.writeFrame(1, payload);
            }
            conn.flush();
            return System.nanoTime() - start;
        });
    }

    @Test
    void slowButSteadyPeerKeepsTheWriteAliveLongerThanTheIdleTimeout() throws Exception {
        try (Harness h = new Harness()) {
            Proxied p = proxied(h);
            p.proxy().throttle(Direction.UPSTREAM, RATE);
            Future<Long> received = h.submit(() -> drain(p.peer()));
            long start = System.nanoTime();
            Duration writing = Duration.ofNanos(Harness.get(write(h, p.conn()), SLACK.plus(WAIT)));
            p.proxy().awaitForwarded(Direction.UPSTREAM, TOTAL, WAIT);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // the transfer outlasted the idle timeout several times: renewal was needed, and happened
            assertThat(took).as("transfer time; writes took %s; %s", writing, p.proxy())
                    .isGreaterThan(IDLE.multipliedBy(3));
            p.conn().close();
            assertThat(Harness.get(received)).as("bytes the peer received").isEqualTo(TOTAL);
        }
    }

    @Test
    void theSameTransferThroughAStalledProxyFailsWithTheWriteIdleTimeout() throws Exception {
        try (Harness h = new Harness()) {
            Proxied p = proxied(h);
            p.proxy().throttle(Direction.UPSTREAM, RATE);
            p.proxy().stall(Direction.UPSTREAM);
            long stalledAt = System.nanoTime();
            Throwable failure = Harness.failure(write(h, p.conn()), IDLE.plus(SLACK).plus(WAIT));
            Duration took = Duration.ofNanos(System.nanoTime() - stalledAt);
            assertThat(failure).as("writer through a stalled proxy, %s", p.proxy())
                    .isInstanceOfSatisfying(FrameTimeoutException.class,
                            e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.WRITE_IDLE));
            assertThat(took).isGreaterThanOrEqualTo(IDLE).isLessThan(IDLE.plus(SLACK));
            assertThat(p.conn().isOpen()).as("closed abortively after the timeout").isFalse();
        }
    }
}
