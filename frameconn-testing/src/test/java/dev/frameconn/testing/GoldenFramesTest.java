package dev.frameconn.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.ConnectionBrokenException;
import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameProtocolException;
import dev.frameconn.FrameTooLargeException;
import dev.frameconn.ShutdownReason;
import dev.frameconn.TruncatedFrameException;
import dev.frameconn.buffer.BufferPool;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Wire bytes written out by hand (from SPEC §2 and docs/PROTOCOL.md, not produced by our
 * encoder) decoded by {@link FrameConn} over the in-memory transport, frame by frame: every
 * frame kind the layers above put on the wire, and every way reading must refuse a stream.
 * Each vector is fed whole and one byte per read.
 *
 * <p>Header: type (4 bytes, big-endian), payload length (4 bytes, big-endian), then the payload.
 */
class GoldenFramesTest {
    private static final int MAX_PAYLOAD = 64 << 10;

    private final BufferPool pool = new BufferPool(6, 16, 4, 1 << 20);

    private FrameConn conn(String hex, int chunk) {
        byte[] stream = HexFormat.of().parseHex(hex.replace(" ", ""));
        ScriptedTransport transport = chunk == 0 ? ScriptedTransport.of(List.of(stream))
                : ScriptedTransport.chunked(stream, chunk);
        return FrameConn.over(transport, FrameConnConfig.defaults().withBufferPool(pool)
                .withMaxPayloadLength(MAX_PAYLOAD).withIdleTimeout(Duration.ZERO));
    }

    private static void expectFrame(FrameConn conn, int type, String payloadHex) throws Exception {
        try (Frame frame = conn.readFrame()) {
            assertThat(frame.type()).as("type").isEqualTo(type);
            assertThat(HexFormat.of().formatHex(frame.toByteArray())).as("payload of type=%08x", type)
                    .isEqualTo(payloadHex);
            assertThat(frame.payload().position()).isZero();
            assertThat(frame.payload().limit()).isEqualTo(payloadHex.length() / 2);
        }
    }

    private void closeAndCheck(FrameConn conn) {
        conn.close();
        assertThat(pool.outstanding()).as("buffers given back: %s", pool).isZero();
    }

    @ParameterizedTest(name = "chunk={0}")
    @ValueSource(ints = {0, 1})
    void everyFrameKindInOneStream(int chunk) throws Exception {
        FrameConn conn = conn(
                "00000001 00000000" // empty frame, type 1
                + "00000007 00000005 68656c6c6f" // data frame, type 7, "hello"
                + "0fffffff 00000001 ff" // the largest application type
                + "01000000 00000000" // HEARTBEAT (heartbeat layer), empty
                + "00010000 00000004 626f6f6d" // stream ERROR_TRAILER, "boom"
                + "00020000 00000000" // stream END, empty
                + "00000000 00000000", // type 0, empty: also a frame
                chunk);
        expectFrame(conn, 1, "");
        expectFrame(conn, 7, "68656c6c6f");
        expectFrame(conn, 0x0fff_ffff, "ff");
        expectFrame(conn, 0x0100_0000, "");
        expectFrame(conn, 0x0001_0000, "626f6f6d");
        expectFrame(conn, 0x0002_0000, "");
        expectFrame(conn, 0, "");
        assertThatThrownBy(conn::readFrame).isInstanceOf(EndOfStreamException.class);
        assertThatThrownBy(conn::readFrame).as("sticky").isInstanceOf(EndOfStreamException.class);
        closeAndCheck(conn);
    }

    @ParameterizedTest(name = "chunk={0}")
    @ValueSource(ints = {0, 1})
    void rstWithoutReason(int chunk) throws Exception {
        FrameConn conn = conn("00000002 00000001 2a" + "10000000 00000000", chunk);
        expectFrame(conn, 2, "2a");
        assertThatThrownBy(conn::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class, e -> {
            assertThat(e.byPeer()).isTrue();
            assertThat(e.peerReason()).isEmpty();
        });
        closeAndCheck(conn);
    }

    @ParameterizedTest(name = "chunk={0}")
    @ValueSource(ints = {0, 1})
    void rstWithReasonCodeAndMessage(int chunk) throws Exception {
        // code 6 (application error), message "bye": 4 + 3 bytes
        FrameConn conn = conn("10000000 00000007 00000006 627965", chunk);
        assertThatThrownBy(conn::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class, e -> {
            assertThat(e.byPeer()).isTrue();
            assertThat(e.peerReason()).contains(ShutdownReason.of(6, "bye"));
        });
        closeAndCheck(conn);
    }

    @ParameterizedTest(name = "chunk={0}")
    @ValueSource(ints = {0, 1})
    void reservedTypeIsRefused(int chunk) throws Exception {
        FrameConn conn = conn("00000003 00000000" + "20000000 00000000", chunk);
        expectFrame(conn, 3, "");
        assertThatThrownBy(conn::readFrame).isInstanceOf(FrameProtocolException.class)
                .hasMessageContaining("0x20000000");
        assertThatThrownBy(conn::readFrame).isInstanceOf(ConnectionBrokenException.class);
        closeAndCheck(conn);
    }

    @ParameterizedTest(name = "chunk={0}")
    @ValueSource(ints = {0, 1})
    void lengthAboveTheMaximumIsRefusedBeforeAllocation(int chunk) throws Exception {
        // 0x00010001 = MAX_PAYLOAD + 1, and no payload follows: the reader must not wait for it
        FrameConn conn = conn("00000004 00000000" + "00000005 00010001", chunk);
        expectFrame(conn, 4, "");
        long allocations = pool.allocations();
        long outstanding = pool.outstanding();
        assertThatThrownBy(conn::readFrame).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
            assertThat(e.length()).isEqualTo(0x10001);
            assertThat(e.type()).isEqualTo(5);
        });
        assertThat(pool.allocations()).as("pool allocations").isEqualTo(allocations);
        assertThat(pool.outstanding()).isEqualTo(outstanding);
        closeAndCheck(conn);
    }

    @ParameterizedTest(name = "chunk={0}")
    @ValueSource(ints = {0, 1})
    void truncatedHeader(int chunk) throws Exception {
        FrameConn conn = conn("00000001 00000000" + "00000001 0000", chunk);
        expectFrame(conn, 1, "");
        assertThatThrownBy(conn::readFrame).isInstanceOfSatisfying(TruncatedFrameException.class, e -> {
            assertThat(e.received()).isEqualTo(6);
            assertThat(e.expected()).isEqualTo(8);
        }).hasMessageContaining("header");
        closeAndCheck(conn);
    }

    @ParameterizedTest(name = "chunk={0}")
    @ValueSource(ints = {0, 1})
    void truncatedPayload(int chunk) throws Exception {
        FrameConn conn = conn("00000001 00000005 6869", chunk);
        assertThatThrownBy(conn::readFrame).isInstanceOfSatisfying(TruncatedFrameException.class, e -> {
            assertThat(e.received()).isEqualTo(2);
            assertThat(e.expected()).isEqualTo(5);
        }).hasMessageContaining("payload");
        closeAndCheck(conn);
    }
}
