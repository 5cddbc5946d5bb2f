package dev.frameconn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.ShutdownResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A thousand connections whose clients all shut down at the same moment: every
 * handshake completes cleanly on both sides, within a bound, and nothing is
 * left open afterwards. Needs about 2,000 descriptors; it never raises the
 * limit, and skips (saying so) if the soft limit is too low.
 */
class ManyConnectionsShutdownTest {
    private static final int CONNECTIONS = 1000;
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void thousandClientsShutDownAtOnceAndEveryHandshakeIsClean() throws Exception {
        long limit = openFilesSoftLimit();
        long needed = 2L * CONNECTIONS + ResourceSnapshot.sockets().size() + 256;
        Assumptions.assumeTrue(limit >= needed, () -> "skipped: the soft limit of open files is " + limit
                + " and this test needs about " + needed + "; raise it with `ulimit -n " + needed + "`");
        try (Harness h = new Harness()) {
            FrameConnConfig config = h.config().withShutdownTimeout(Duration.ofSeconds(30));
            FrameServer server = h.track(FrameServer.bind(Harness.loopback(), config));
            List<Future<ShutdownResult>> serverSides = new ArrayList<>();
            Future<Void> acceptor = h.submit(() -> {
                for (int i = 0; i < CONNECTIONS; i++) {
                    FrameConn conn = server.accept();
                    serverSides.add(h.submit(() -> serveUntilPeerShutdown(conn)));
                }
                return null;
            });
            List<FrameConn> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    FrameConn client = FrameConn.connect(server.localAddress(), config);
                    clients.add(client);
                    client.writeFrame(1, new byte[] {(byte) i});
                }
                Harness.get(acceptor);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<ShutdownResult>> clientSides = new ArrayList<>();
                for (FrameConn client : clients) {
                    clientSides.add(h.submit(() -> {
                        go.await();
                        return client.shutdown();
                    }));
                }
                long start = System.nanoTime();
                go.countDown();
                Map<String, Integer> clientOutcomes = outcomes(clientSides);
                Duration clientsDone = Duration.ofNanos(System.nanoTime() - start);
                Map<String, Integer> serverOutcomes = outcomes(serverSides);
                Duration allDone = Duration.ofNanos(System.nanoTime() - start);
                System.out.printf("ManyConnectionsShutdownTest: %d clients shut down in %d ms, all sides in %d ms;"
                        + " clients %s, servers %s%n", CONNECTIONS, clientsDone.toMillis(), allDone.toMillis(),
                        clientOutcomes, serverOutcomes);
                assertThat(clientOutcomes).as("client results").isEqualTo(Map.of("clean", CONNECTIONS));
                assertThat(serverOutcomes).as("server results").isEqualTo(Map.of("clean peerFirst", CONNECTIONS));
                assertThat(allDone).isLessThan(BOUND);
            } finally {
                clients.forEach(FrameConn::close);
            }
        }
    }

    /** Reads until the client's RST, then shuts down as the peer of the handshake. */
    private static ShutdownResult serveUntilPeerShutdown(FrameConn conn) throws IOException {
        try (conn) {
            while (true) {
                try (Frame frame = conn.readFrame()) {
                    assertThat(frame.length()).isEqualTo(1);
                } catch (ConnectionShutdownException expected) {
                    return conn.shutdown();
                }
            }
        }
    }

    private static Map<String, Integer> outcomes(List<Future<ShutdownResult>> results) throws Exception {
        Map<String, Integer> out = new TreeMap<>();
        for (Future<ShutdownResult> f : results) {
            ShutdownResult r = Harness.get(f, BOUND);
            String key = r.clean() ? "clean" : "failed at " + r.failure().map(s -> s.label()).orElse("close")
                    + ": " + r.error();
            if (r.peerInitiated()) {
                key += " peerFirst";
            }
            out.merge(key, 1, Integer::sum);
        }
        return out;
    }

    /** The soft limit of open files, from /proc; Long.MAX_VALUE where unknown or unlimited. */
    static long openFilesSoftLimit() throws IOException {
        Path limits = Path.of("/proc/self/limits");
        if (!Files.exists(limits)) {
            return Long.MAX_VALUE;
        }
        for (String line : Files.readAllLines(limits)) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return Long.MAX_VALUE;
    }
}
