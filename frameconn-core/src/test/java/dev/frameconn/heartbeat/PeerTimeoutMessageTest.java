package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.ShutdownResult;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The timeout named in a timeout's message is the one that fired. Shutdown
 * switches idle timeouts off before it writes its RST, so a failure it meets
 * on a connection that had timed out used to read "no data for
 * idleTimeout=PT0S". Over real loopback TCP, with a peer that stays silent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerTimeoutMessageTest {
    private static final Duration TIMEOUT = Duration.ofMillis(700);
    private final Loopback net = new Loopback();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private static String chain(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            s.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" <- ");
        }
        return s.toString();
    }

    @Test
    void aShutdownAfterAReadTimeoutNamesTheIdleTimeoutThatFired() throws Exception {
        FrameConn[] pair = net.framePair(); // pair[1] never writes
        FrameConn conn = pair[0];
        conn.setIdleTimeout(TIMEOUT);
        assertThatThrownBy(conn::readFrame).isInstanceOfSatisfying(FrameTimeoutException.class, e -> {
            assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.READ_IDLE);
            assertThat(e.timeout()).isEqualTo(TIMEOUT);
        });
        ShutdownResult result = conn.shutdown();
        assertThat(result.clean()).isFalse();
        assertThat(chain(result.error())).as("%s", result)
                .contains("read timed out: no data for idleTimeout=PT0.7S").doesNotContain("PT0S");
        assertThat(result.error()).isInstanceOfSatisfying(FrameTimeoutException.class,
                e -> assertThat(e.timeout()).isEqualTo(TIMEOUT));
    }

    @Test
    void aHeartbeatConnectionWhosePeerWentSilentNamesThePeerTimeoutEverywhere() throws Exception {
        FrameConn[] pair = net.framePair(); // pair[1]: a raw peer that never writes, not even heartbeats
        // a heartbeat goes out at 600 ms, the next not before 1.2 s: the shutdown right after the
        // peer timeout meets a write side that has not failed yet, and fails on the dead connection itself
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withTiming(Duration.ofMillis(600), TIMEOUT));
        assertThatThrownBy(a::readFrame).isInstanceOfSatisfying(PeerTimeoutException.class, e -> {
            assertThat(e.getMessage()).isEqualTo(
                    "frameconn: peer timed out: it sent nothing, not even a heartbeat, for peerTimeout=700ms");
            assertThat(e.getCause()).hasMessageContaining("idleTimeout=PT0.7S");
            // one failure family: a caller catching FrameConnException sees the heartbeat layer's failures
            assertThat(e).isInstanceOf(dev.frameconn.FrameConnException.class);
        });
        ShutdownResult result = a.shutdown();
        assertThat(result.clean()).isFalse();
        assertThat(result.error()).as("%s", result).isInstanceOfSatisfying(PeerTimeoutException.class,
                e -> assertThat(e.peerTimeout()).isEqualTo(TIMEOUT));
        assertThat(chain(result.error())).as("%s", result)
                .contains("peerTimeout=700ms", "idleTimeout=PT0.7S").doesNotContain("PT0S");
    }
}
