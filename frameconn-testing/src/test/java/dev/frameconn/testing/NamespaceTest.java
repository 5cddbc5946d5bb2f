package dev.frameconn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two peer JVMs in two network namespaces joined by a veth pair: frameconn
 * over a real network path (not loopback), a clean shutdown handshake across
 * it, and a partition (the link goes down mid-transfer) that both sides
 * detect by their idle timeouts. Skipped, saying why, without root or the
 * {@code ip} tool. Traffic stays on link addresses inside namespaces the test
 * makes and deletes.
 */
@ExtendWith(LeakCheckExtension.class)
class NamespaceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void requireNamespaces() {
        NamespacePair.unavailableBecause().ifPresent(why ->
                Assumptions.abort("skipped: no network namespaces here: " + why));
    }

    @Test
    void echoAcrossTheVethPairAndShutDownCleanly() throws Exception {
        try (NamespacePair net = createOrSkip();
                PeerProcess server = PeerProcess.builder().prefix(net.execInA())
                        .args("echo", "listen=" + net.addressA() + ":0").start()) {
            String listening = server.awaitLine("LISTENING", WAIT);
            String port = listening.substring(listening.lastIndexOf(':') + 1);
            try (PeerProcess client = PeerProcess.builder().prefix(net.execInB())
                    .args("echo-client", "connect=" + net.addressA() + ":" + port, "frames=200", "size=50000")
                    .start()) {
                assertThat(client.awaitExit(WAIT)).as("client %s", client.describe()).isZero();
                assertThat(client.lines()).as(client.describe())
                        .anyMatch(l -> l.startsWith("VERIFIED frames=200"))
                        .anyMatch(l -> l.startsWith("SHUTDOWN clean=true"));
            }
            assertThat(server.awaitExit(WAIT)).as("server %s", server.describe()).isZero();
            assertThat(server.lines()).as(server.describe())
                    .contains("ECHOED 200")
                    .anyMatch(l -> l.startsWith("SHUTDOWN clean=true") && l.endsWith("peerFirst=true"));
        }
    }

    @Test
    void partitionMidTransferIsDetectedByBothIdleTimeouts() throws Exception {
        Duration idle = Duration.ofSeconds(2);
        try (NamespacePair net = createOrSkip();
                PeerProcess server = PeerProcess.builder().prefix(net.execInA())
                        .args("echo", "listen=" + net.addressA() + ":0", "idle=" + idle).start()) {
            String listening = server.awaitLine("LISTENING", WAIT);
            String port = listening.substring(listening.lastIndexOf(':') + 1);
            try (PeerProcess client = PeerProcess.builder().prefix(net.execInB())
                    .args("echo-client", "connect=" + net.addressA() + ":" + port, "frames=1000000",
                            "size=65536", "idle=" + idle)
                    .start()) {
                client.awaitLine("FIRST_ECHO", WAIT);
                long partitionedAt = System.nanoTime();
                net.partition();
                // both sides are blocked on a dead path: only their idle timeouts can end this
                assertThat(client.awaitExit(WAIT)).as("client %s", client.describe()).isEqualTo(1);
                assertThat(server.awaitExit(WAIT)).as("server %s", server.describe()).isEqualTo(1);
                Duration took = Duration.ofNanos(System.nanoTime() - partitionedAt);
                assertThat(client.lines()).as(client.describe()).anyMatch(l -> l.startsWith("FAILED")
                        && l.contains("FrameTimeoutException"));
                assertThat(server.lines()).as(server.describe()).anyMatch(l -> l.startsWith("FAILED")
                        && l.contains("FrameTimeoutException"));
                assertThat(took).as("both detected the partition").isLessThan(idle.plusSeconds(30));
            }
        }
    }

    private static NamespacePair createOrSkip() throws Exception {
        try {
            return NamespacePair.create();
        } catch (java.io.IOException e) {
            // root and ip are there, but the sandbox may still forbid namespaces
            Assumptions.abort("skipped: could not make network namespaces: " + e.getMessage());
            throw e;
        }
    }
}
