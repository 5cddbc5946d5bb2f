package dev.frameconn.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.ConnectionBrokenException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.TruncatedFrameException;
import dev.frameconn.buffer.BufferPool;
import dev.frameconn.testkit.Fixtures;
import dev.frameconn.wire.FrameHeader;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End of stream at every byte offset of a frame: at offset 0 it is a clean
 * {@link EndOfStreamException}; anywhere inside the header or payload it is a
 * {@link TruncatedFrameException} saying which part and how many bytes came;
 * at the end of the frame the frame is delivered. In every case the complete
 * frame before it is delivered intact first.
 */
class EndOfStreamOffsetsTest {
    private static final byte[] FIRST_PAYLOAD = {10, 20, 30};

    /** Over a real TCP socket: the peer writes the prefix and half-closes. */
    @ParameterizedTest(name = "payload {0} bytes")
    @ValueSource(ints = {0, 5, 300})
    void tcpEveryOffset(int payloadLength) throws Exception {
        try (Harness h = new Harness()) {
            FrameConnConfig config = h.config().withReadBufferSize(512);
            for (int offset = 0; offset <= FrameHeader.LENGTH + payloadLength; offset++) {
                Fixtures.RawPeer peer = h.rawPeer(config);
                peer.send(stream(payloadLength, offset));
                peer.raw().shutdownOutput();
                check(peer.conn(), payloadLength, offset);
                peer.conn().close();
                peer.raw().close();
            }
        }
    }

    /** Over a scripted transport, in chunks of 1 byte, 3 bytes and all at once. */
    @ParameterizedTest(name = "payload {0} bytes, chunks of {1}")
    @CsvSource({"0,1", "0,3", "0,100000", "5,1", "5,3", "5,100000", "300,1", "300,7", "300,100000"})
    void scriptedEveryOffset(int payloadLength, int chunkSize) throws Exception {
        BufferPool pool = new BufferPool(6, 16, 4, 1 << 20);
        FrameConnConfig config = FrameConnConfig.defaults().withBufferPool(pool).withReadBufferSize(512);
        for (int offset = 0; offset <= FrameHeader.LENGTH + payloadLength; offset++) {
            ScriptedTransport transport = ScriptedTransport.chunked(stream(payloadLength, offset), chunkSize);
            try (FrameConn conn = FrameConn.over(transport, config)) {
                check(conn, payloadLength, offset);
            }
            assertThat(pool.outstanding()).as("buffers after offset=%d", offset).isZero();
        }
    }

    /** A whole frame, then the first {@code offset} bytes of a frame with a {@code payloadLength}-byte payload. */
    static byte[] stream(int payloadLength, int offset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(FrameHeader.toBytes(1, FIRST_PAYLOAD.length));
        out.writeBytes(FIRST_PAYLOAD);
        byte[] second = new byte[FrameHeader.LENGTH + payloadLength];
        FrameHeader.encode(second, 0, 2, payloadLength);
        System.arraycopy(PeerMain.payload(2, payloadLength), 0, second, FrameHeader.LENGTH, payloadLength);
        out.writeBytes(Arrays.copyOf(second, offset));
        return out.toByteArray();
    }

    private static void check(FrameConn conn, int payloadLength, int offset) throws Exception {
        String where = "offset=" + offset + " payloadLength=" + payloadLength;
        try (Frame first = conn.readFrame()) {
            assertThat(first.type()).as(where).isEqualTo(1);
            assertThat(first.toByteArray()).as(where).isEqualTo(FIRST_PAYLOAD);
        }
        if (offset == 0) {
            assertThatThrownBy(conn::readFrame).as(where).isInstanceOf(EndOfStreamException.class);
            assertThatThrownBy(conn::readFrame).as(where + ", read again").isInstanceOf(EndOfStreamException.class);
            return;
        }
        if (offset == FrameHeader.LENGTH + payloadLength) {
            try (Frame second = conn.readFrame()) {
                assertThat(second.type()).as(where).isEqualTo(2);
                assertThat(second.toByteArray()).as(where).isEqualTo(PeerMain.payload(2, payloadLength));
            }
            assertThatThrownBy(conn::readFrame).as(where).isInstanceOf(EndOfStreamException.class);
            return;
        }
        boolean inHeader = offset < FrameHeader.LENGTH;
        assertThatThrownBy(conn::readFrame).as(where)
                .isInstanceOfSatisfying(TruncatedFrameException.class, e -> {
                    assertThat(e.received()).as(where + " received").isEqualTo(
                            inHeader ? offset : offset - FrameHeader.LENGTH);
                    assertThat(e.expected()).as(where + " expected").isEqualTo(
                            inHeader ? FrameHeader.LENGTH : payloadLength);
                    assertThat(e.getMessage()).as(where).contains(inHeader ? "header" : "payload");
                });
        assertThatThrownBy(conn::readFrame).as(where + ", read again")
                .isInstanceOf(ConnectionBrokenException.class)
                .hasCauseInstanceOf(TruncatedFrameException.class);
    }
}
