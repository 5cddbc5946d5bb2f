package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.heartbeat.ManualTicker;
import dev.frameconn.wire.FrameHeader;
import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FrameConn}'s own checks and accessors, over an in-memory transport
 * (no sockets: these calls decide before any I/O): reserved types and negative
 * timeouts refused with the value in the message, calls after a shutdown
 * began, the idle timeout read back, what {@code toString} and the address and
 * state accessors report.
 */
@Timeout(10)
class FrameConnCallsTest {
    private static final SocketAddress LOCAL = MemoryTransport.LOCAL;
    private static final SocketAddress REMOTE = MemoryTransport.REMOTE;

    private final MemoryTransport wire = new MemoryTransport(new byte[0]);
    private final FrameConn conn = FrameConn.over(wire,
            FrameConnConfig.defaults().withTicker(new ManualTicker()).withIdleTimeout(Duration.ZERO));

    /** Closes the connection: its timer, once armed, keeps the manual clock's timer thread alive otherwise. */
    @AfterEach
    void close() {
        conn.close();
    }

    @Test
    void reservedTypesAndNegativeTimeoutsAreCallerBugs() {
        assertThatThrownBy(() -> conn.writeFrame(FrameHeader.RST, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type=0x10000000");
        assertThatThrownBy(() -> conn.writeFrame(0x8000_0001, ByteBuffer.allocate(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type=0x80000001");
        assertThatThrownBy(() -> conn.setIdleTimeout(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=PT-0.000000001S");
        assertThatThrownBy(() -> conn.writeFrame(1, (ByteBuffer) null)).isInstanceOf(NullPointerException.class);
        assertThat(wire.written()).isEmpty();
    }

    @Test
    void theLargestApplicationTypeAndAnEmptyFrameGoOut() throws Exception {
        conn.writeEmptyFrame(0x0fff_ffff);
        conn.flush();
        assertThat(wire.written()).containsExactly(0x0f, 0xff, 0xff, 0xff, 0, 0, 0, 0);
    }

    @Test
    void theIdleTimeoutReadsBackAsSet() {
        assertThat(conn.idleTimeout()).isEqualTo(Duration.ZERO);
        conn.setIdleTimeout(Duration.ofMillis(1500));
        assertThat(conn.idleTimeout()).isEqualTo(Duration.ofMillis(1500));
        conn.setIdleTimeout(Duration.ZERO);
        assertThat(conn.idleTimeout()).isEqualTo(Duration.ZERO);
    }

    @Test
    void anEmptyBatchWritesNothing() throws Exception {
        conn.writeBatch(new FrameBatch());
        conn.flush();
        assertThat(wire.written()).isEmpty();
    }

    @Test
    void afterThePeersRstWritesFailAndTheStateSaysSo() throws Exception {
        MemoryTransport rst = new MemoryTransport(concat(header(FrameHeader.RST, 4), new byte[] {0, 0, 0, 4}));
        FrameConn c = FrameConn.over(rst, FrameConnConfig.defaults().withIdleTimeout(Duration.ZERO));
        assertThat(c.isShuttingDown()).isFalse();
        assertThat(c.peerShutdownReason()).isEmpty();
        assertThatThrownBy(c::readFrame).isInstanceOf(ConnectionShutdownException.class);
        assertThat(c.isShuttingDown()).isTrue();
        assertThat(c.peerShutdownReason()).map(ShutdownReason::code).contains(ShutdownReason.GOING_AWAY);
        assertThat(c.isOpen()).as("shutting down, not closed").isTrue();
        assertThat(c.toString()).endsWith(", shutting down]");
        assertThatThrownBy(() -> c.writeFrame(1, new byte[] {1})).isInstanceOfSatisfying(
                ConnectionShutdownException.class, e -> assertThat(e.byPeer()).isTrue());
        assertThatThrownBy(() -> c.writeBatch(new FrameBatch().add(1, ByteBuffer.allocate(1))))
                .isInstanceOf(ConnectionShutdownException.class);
        assertThat(rst.written()).isEmpty();
        c.close();
    }

    @Test
    void accessorsReportTheTransportAndTheState() {
        assertThat(conn.localAddress()).isSameAs(LOCAL);
        assertThat(conn.remoteAddress()).isSameAs(REMOTE);
        assertThat(conn.config().idleTimeout()).isEqualTo(Duration.ZERO);
        assertThat(conn.isOpen()).isTrue();
        assertThat(conn.toString()).isEqualTo("FrameConn[" + LOCAL + " -> " + REMOTE + "]");
        wire.lost = true;
        assertThat(conn.isOpen()).as("the transport closed under it").isFalse();
        wire.lost = false;
        conn.close();
        assertThat(conn.isOpen()).isFalse();
        assertThat(conn.toString()).endsWith(", closed]");
    }

    private static byte[] header(int type, int length) {
        byte[] h = new byte[FrameHeader.LENGTH];
        FrameHeader.encode(h, 0, type, length);
        return h;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
