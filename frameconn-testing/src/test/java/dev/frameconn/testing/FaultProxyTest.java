package dev.frameconn.testing;

import static dev.frameconn.testing.Harness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.ConnectionResetException;
import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.Frame;
import dev.frameconn.ShutdownResult;
import dev.frameconn.testing.FaultProxy.Direction;
import dev.frameconn.testkit.Fixtures;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The proxy itself: each fault does what its Javadoc says, seen through real frameconn connections. */
class FaultProxyTest {

    @Test
    void forwardsBothWaysAndPassesTheHalfCloseOnSoTheShutdownHandshakeCompletes() throws Exception {
        try (Harness h = new Harness()) {
            AtomicReference<FaultProxy> proxy = new AtomicReference<>();
            Fixtures.Pair p = h.pairViaProxy(h.config(), h.config(), proxy);
            byte[] big = PeerMain.payload(7, 300_000);
            p.client().writeFrame(3, big);
            try (Frame f = p.server().readFrame()) {
                assertThat(f.type()).isEqualTo(3);
                assertThat(f.toByteArray()).isEqualTo(big);
            }
            p.server().writeFrame(4, new byte[] {1, 2, 3});
            try (Frame f = p.client().readFrame()) {
                assertThat(f.toByteArray()).containsExactly(1, 2, 3);
            }
            Future<ShutdownResult> server = h.submit(() -> {
                try {
                    p.server().readFrame().close();
                    throw new AssertionError("expected the client's RST");
                } catch (ConnectionShutdownException expected) {
                    return p.server().shutdown();
                }
            });
            ShutdownResult client = p.client().shutdown();
            assertThat(client.clean()).as("client %s via %s", client, proxy.get()).isTrue();
            assertThat(Harness.get(server).clean()).as("server side").isTrue();
            assertThat(proxy.get().forwarded(Direction.UPSTREAM)).isGreaterThan(300_000);
        }
    }

    @Test
    void stallHoldsBytesBackWithoutClosingAndResumeDeliversThem() throws Exception {
        try (Harness h = new Harness()) {
            AtomicReference<FaultProxy> proxy = new AtomicReference<>();
            Fixtures.Pair p = h.pairViaProxy(h.config(), h.config(), proxy);
            proxy.get().stall(Direction.UPSTREAM);
            long before = proxy.get().forwarded(Direction.UPSTREAM);
            Future<Frame> read = h.submitAndAwaitBlocked(p.server()::readFrame);
            p.client().writeFrame(9, new byte[] {42});
            // the other direction still flows while this one is stalled
            p.server().writeFrame(8, new byte[] {7});
            try (Frame f = p.client().readFrame()) {
                assertThat(f.type()).isEqualTo(8);
            }
            assertThat(read).isNotDone();
            assertThat(proxy.get().forwarded(Direction.UPSTREAM)).isEqualTo(before);
            proxy.get().resume();
            try (Frame f = Harness.get(read)) {
                assertThat(f.type()).isEqualTo(9);
                assertThat(f.toByteArray()).containsExactly(42);
            }
        }
    }

    @Test
    void throttleDeliversEverythingNoFasterThanTheRate() throws Exception {
        try (Harness h = new Harness()) {
            AtomicReference<FaultProxy> proxy = new AtomicReference<>();
            Fixtures.Pair p = h.pairViaProxy(h.config(), h.config(), proxy);
            int rate = 400_000;
            proxy.get().throttle(Direction.DOWNSTREAM, rate);
            byte[] payload = PeerMain.payload(1, 200_000);
            long start = System.nanoTime();
            p.server().writeFrame(1, payload);
            try (Frame f = p.client().readFrame()) {
                assertThat(f.toByteArray()).isEqualTo(payload);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // a lower bound only: 200 kB at 400 kB/s cannot take less than 0.5 s (minus one pacing step)
            assertThat(took).as("time to pass 200 kB at %d B/s", rate).isGreaterThan(Duration.ofMillis(400));
        }
    }

    @Test
    void resetSendsTcpRstToBothEnds() throws Exception {
        try (Harness h = new Harness()) {
            AtomicReference<FaultProxy> proxy = new AtomicReference<>();
            Fixtures.Pair p = h.pairViaProxy(h.config(), h.config(), proxy);
            Future<Frame> clientRead = h.submitAndAwaitBlocked(p.client()::readFrame);
            Future<Frame> serverRead = h.submitAndAwaitBlocked(p.server()::readFrame);
            proxy.get().reset();
            assertThat(Harness.failure(clientRead, WAIT)).isInstanceOf(ConnectionResetException.class);
            assertThat(Harness.failure(serverRead, WAIT)).isInstanceOf(ConnectionResetException.class);
        }
    }

    @Test
    void closeEndsBothStreamsCleanly() throws Exception {
        try (Harness h = new Harness()) {
            AtomicReference<FaultProxy> proxy = new AtomicReference<>();
            Fixtures.Pair p = h.pairViaProxy(h.config(), h.config(), proxy);
            Future<Frame> clientRead = h.submitAndAwaitBlocked(p.client()::readFrame);
            Future<Frame> serverRead = h.submitAndAwaitBlocked(p.server()::readFrame);
            proxy.get().closeConnections();
            assertThat(Harness.failure(clientRead, WAIT)).isInstanceOf(EndOfStreamException.class);
            assertThat(Harness.failure(serverRead, WAIT)).isInstanceOf(EndOfStreamException.class);
        }
    }
}
