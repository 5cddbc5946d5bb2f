package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.frameconn.ConnectionBrokenException;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.ShutdownReason;
import dev.frameconn.TruncatedFrameException;
import dev.frameconn.testing.MemoryTransport;
import dev.frameconn.testing.ScriptedTransport;
import dev.frameconn.transport.Transport;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each reason from a real exception of the core, produced by feeding bytes to a real connection. */
class EndReasonTest {
    private static final FrameConnConfig CONFIG = FrameConnConfig.defaults();

    private static Throwable firstReadFailure(FrameConn conn) {
        try (conn) {
            return catchThrowable(conn::readFrame);
        }
    }

    /** A transport whose peer never sends: reads block until the connection closes it. */
    private static Transport silentPeer() {
        return MemoryTransport.pair(1024)[0];
    }

    private static byte[] header(int type, int length) {
        return FrameHeader.toBytes(type, length);
    }

    @Test
    void cleanEndOfStream() {
        Throwable e = firstReadFailure(FrameConn.over(ScriptedTransport.of(List.of()), CONFIG));
        assertThat(EndReason.of(e)).isEqualTo(EndReason.EOF);
        assertThat(EndReason.EOF.label()).isEqualTo("eof");
    }

    @Test
    void peerRst() {
        Throwable e = firstReadFailure(FrameConn.over(
                ScriptedTransport.of(List.of(header(FrameHeader.RST, 0))), CONFIG));
        assertThat(EndReason.of(e)).isEqualTo(EndReason.PEER_SHUTDOWN);
        assertThat(EndReason.of(e).label()).isEqualTo("peer_shutdown");
        assertThat(EndReason.messageOf(e)).contains("the peer sent RST");
        assertThat(EndReason.peerReasonOf(e)).isEmpty();
    }

    @Test
    void peerRstWithAReason() {
        byte[] rst = ByteBuffer.allocate(8 + 4 + 3).put(header(FrameHeader.RST, 7)).putInt(ShutdownReason.TIMEOUT)
                .put("why".getBytes(StandardCharsets.UTF_8)).array();
        Throwable e = firstReadFailure(FrameConn.over(ScriptedTransport.of(List.of(rst)), CONFIG));
        assertThat(EndReason.of(e)).isEqualTo(EndReason.PEER_SHUTDOWN);
        assertThat(EndReason.peerReasonOf(e)).contains(ShutdownReason.of(ShutdownReason.TIMEOUT, "why"));
        assertThat(EndReason.peerReasonOf(new java.io.IOException("x"))).isEmpty();
    }

    @Test
    void peersRstReasonIsShownWithoutTerminalControls() {
        byte[] why = "\u001b[2J\rall fine".getBytes(StandardCharsets.UTF_8);
        byte[] rst = ByteBuffer.allocate(8 + 4 + why.length).put(header(FrameHeader.RST, 4 + why.length))
                .putInt(ShutdownReason.TIMEOUT).put(why).array();
        Throwable e = firstReadFailure(FrameConn.over(ScriptedTransport.of(List.of(rst)), CONFIG));
        assertThat(EndReason.messageOf(e)).contains("?[2J?all fine").doesNotContain("\u001b", "\r");
    }

    @Test
    void truncatedFrame() {
        byte[] bytes = Arrays.copyOf(header(1, 10), 11);
        Throwable e = firstReadFailure(FrameConn.over(ScriptedTransport.of(List.of(bytes)), CONFIG));
        assertThat(EndReason.of(e).label()).isEqualTo("truncated");
    }

    @Test
    void oversizedFrame() {
        Throwable e = firstReadFailure(FrameConn.over(
                ScriptedTransport.of(List.of(header(1, Integer.MAX_VALUE))), CONFIG));
        assertThat(EndReason.of(e).label()).isEqualTo("frame_too_large");
    }

    @Test
    void reservedType() {
        Throwable e = firstReadFailure(FrameConn.over(
                ScriptedTransport.of(List.of(header(0x2000_0000, 0))), CONFIG));
        assertThat(EndReason.of(e).label()).isEqualTo("protocol_error");
    }

    @Test
    void brokenConnectionIsJudgedByItsCause() {
        byte[] bytes = Arrays.copyOf(header(1, 10), 11);
        try (FrameConn conn = FrameConn.over(ScriptedTransport.of(List.of(bytes)), CONFIG)) {
            assertThat(catchThrowable(conn::readFrame)).isInstanceOf(TruncatedFrameException.class);
            Throwable again = catchThrowable(conn::readFrame);
            assertThat(again).isInstanceOf(ConnectionBrokenException.class);
            assertThat(EndReason.of(again)).isEqualTo(EndReason.TRUNCATED);
        }
    }

    @Test
    void resetByPeer() {
        Throwable e = firstReadFailure(FrameConn.over(
                ScriptedTransport.failingWith(List.of(), new IOException("Connection reset by peer")), CONFIG));
        assertThat(EndReason.of(e).label()).isEqualTo("reset");
    }

    @Test
    void otherIoErrors() {
        Throwable e = firstReadFailure(FrameConn.over(
                ScriptedTransport.failingWith(List.of(), new IOException("disk on fire")), CONFIG));
        assertThat(EndReason.of(e).label()).isEqualTo("io_error");
        assertThat(EndReason.messageOf(e)).isEqualTo("disk on fire");
        assertThat(EndReason.of(new IOException())).isEqualTo(EndReason.IO_ERROR);
        assertThat(EndReason.messageOf(new IOException())).isEqualTo("IOException");
    }

    @Test
    void localShutdown() {
        FrameConn conn = FrameConn.over(silentPeer(), CONFIG);
        conn.close();
        assertThat(EndReason.of(catchThrowable(conn::readFrame))).isEqualTo(EndReason.LOCAL_SHUTDOWN);
    }

    @Test
    void idleTimeout() {
        // real time, but short: the core's watchdog fires after the idle timeout
        FrameConn conn = FrameConn.over(silentPeer(),
                CONFIG.withIdleTimeout(Duration.ofMillis(50)));
        Throwable e = firstReadFailure(conn);
        assertThat(e).isInstanceOf(FrameTimeoutException.class);
        assertThat(EndReason.of(e).label()).isEqualTo("timeout");
    }
}
