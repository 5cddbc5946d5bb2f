package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.testkit.Fixtures;
import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SPEC §1: the bytes on the wire, checked against a raw socket. */
class WireFormatTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void writtenFrameHasGoldenBytes() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.conn().writeFrame(0x2a, "hello".getBytes(StandardCharsets.US_ASCII));
        peer.conn().writeEmptyFrame(0x0FFF_FFFF);
        assertThat(HexFormat.of().formatHex(peer.receive(13 + 8)))
                .isEqualTo("0000002a0000000568656c6c6f" + "0fffffff00000000");
    }

    @Test
    void shutdownSendsRstThenEndOfStream() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.conn().writeFrame(7, new byte[] {9});
        Future<ShutdownResult> shutdown = f.threads.submit(() -> peer.conn().shutdown());
        byte[] all = peer.receiveAll(); // returns at the FIN that follows RST
        assertThat(HexFormat.of().formatHex(all)).isEqualTo("000000070000000109" + "1000000000000000");
        peer.raw().shutdownOutput(); // what a well-behaved peer does after RST
        ShutdownResult result = Fixtures.get(shutdown);
        assertThat(result.clean()).as(result.toString()).isTrue();
        assertThat(result.peerAnswered()).as("a plain close is no RST").isFalse();
        assertThat(peer.conn().isOpen()).isFalse();
    }

    @Test
    void framesFromRawBytesIncludingEmptyOnes() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        byte[] bytes = HexFormat.of().parseHex("00000001" + "00000003" + "616263" + "00000002" + "00000000"
                + "0fffffff" + "00000001" + "ff");
        peer.send(bytes);
        try (Frame a = peer.conn().readFrame(); Frame b = peer.conn().readFrame(); Frame c = peer.conn().readFrame()) {
            assertThat(a.type()).isEqualTo(1);
            assertThat(a.toByteArray()).containsExactly('a', 'b', 'c');
            assertThat(b.type()).isEqualTo(2);
            assertThat(b.length()).isZero();
            assertThat(b.payload().remaining()).isZero();
            assertThat(c.type()).isEqualTo(0x0FFF_FFFF);
            assertThat(c.toByteArray()).containsExactly((byte) 0xff);
            assertThat(c.payload().limit()).as("payload shows exactly its length").isEqualTo(1);
        }
    }

    @Test
    void writingReservedTypeFailsAndWritesNothing() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        for (int type : new int[] {FrameHeader.RST, 0x8000_0000, 0xF000_0000, 0x1000_0001, -1}) {
            assertThatThrownBy(() -> peer.conn().writeFrame(type, new byte[] {1, 2}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("type=" + FrameHeader.typeToString(type));
        }
        peer.conn().writeFrame(3, new byte[] {4});
        assertThat(HexFormat.of().formatHex(peer.receive(9))).isEqualTo("000000030000000104");
    }

    @Test
    void receivingReservedTypeOtherThanRstIsProtocolError() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.send(HexFormat.of().parseHex("00000001000000017a" + "2000000000000000"));
        try (Frame first = peer.conn().readFrame()) {
            assertThat(first.toByteArray()).containsExactly('z');
        }
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(FrameProtocolException.class)
                .hasMessageContaining("type=0x20000000");
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(ConnectionBrokenException.class)
                .hasCauseInstanceOf(FrameProtocolException.class);
    }

    @Test
    void rstFromPeerEntersShutdownForThisAndLaterCalls() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.send(HexFormat.of().parseHex("000000050000000000" .substring(0, 16) + "1000000000000000"));
        try (Frame empty = peer.conn().readFrame()) {
            assertThat(empty.type()).isEqualTo(5);
        }
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class,
                e -> assertThat(e.byPeer()).isTrue()).hasMessageContaining("shutting down");
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(ConnectionShutdownException.class);
        assertThatThrownBy(() -> peer.conn().writeFrame(1, new byte[0])).isInstanceOf(ConnectionShutdownException.class);
        assertThat(peer.conn().isShuttingDown()).isTrue();
    }

    @Test
    void rstWithPayloadIsAcceptedLikeTheOriginal() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.send(HexFormat.of().parseHex("10000000" + "00000004" + "deadbeef"));
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(ConnectionShutdownException.class);
    }

    @Test
    void headerHelpersRoundTrip() {
        ByteBuffer b = ByteBuffer.allocate(16);
        FrameHeader.encode(b, 4, 0x0ABC_DEF0, -1);
        assertThat(FrameHeader.type(b, 4)).isEqualTo(0x0ABC_DEF0);
        assertThat(FrameHeader.payloadLength(b, 4)).isEqualTo(0xFFFF_FFFFL);
        byte[] a = FrameHeader.toBytes(FrameHeader.RST, 0);
        assertThat(HexFormat.of().formatHex(a)).isEqualTo("1000000000000000");
        assertThat(FrameHeader.type(a, 0)).isEqualTo(FrameHeader.RST);
        assertThat(FrameHeader.isApplicationType(FrameHeader.MAX_APPLICATION_TYPE)).isTrue();
        assertThat(FrameHeader.isApplicationType(FrameHeader.RST)).isFalse();
        assertThat(b.position()).isZero();
    }
}
