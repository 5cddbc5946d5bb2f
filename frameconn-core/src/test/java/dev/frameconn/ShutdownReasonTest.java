package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.metrics.ShutdownStep;
import dev.frameconn.testkit.Fixtures;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The reason carried in an RST payload, and the abortive close after a protocol violation. */
class ShutdownReasonTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void reasonReachesThePeersError() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        Future<ConnectionShutdownException> seen = f.threads.submit(() -> {
            try {
                p.server().readFrame().close();
                throw new AssertionError("expected RST");
            } catch (ConnectionShutdownException e) {
                p.server().shutdown();
                return e;
            }
        });
        ShutdownResult result = p.client().shutdown(Duration.ofSeconds(10),
                ShutdownReason.of(ShutdownReason.GOING_AWAY, "deploying version 2 — back soon"));
        assertThat(result.clean()).isTrue();
        ConnectionShutdownException e = Fixtures.get(seen);
        assertThat(e.byPeer()).isTrue();
        assertThat(e.peerReason()).hasValue(ShutdownReason.of(4, "deploying version 2 — back soon"));
        assertThat(e).hasMessageContaining("GOING_AWAY: deploying version 2 — back soon");
        assertThat(p.server().peerShutdownReason()).hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(4));
    }

    @Test
    void emptyRstMeansNoReasonAsFromZrepl() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.send(HexFormat.of().parseHex("1000000000000000"));
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class,
                e -> assertThat(e.peerReason()).isEmpty()).hasMessageContaining("no reason given");
    }

    @Test
    void shortPayloadsAreNoReasonAndLongOnesAreSkippedUnbuffered() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.send(HexFormat.of().parseHex("10000000" + "00000003" + "010203"));
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class,
                e -> assertThat(e.peerReason()).isEmpty());

        Fixtures.RawPeer other = f.track(f.rawPeer(f.config()));
        byte[] longRst = new byte[8 + 4 + 100_000];
        dev.frameconn.wire.FrameHeader.encode(longRst, 0, dev.frameconn.wire.FrameHeader.RST, 4 + 100_000);
        ByteBuffer.wrap(longRst).putInt(8, 77);
        java.util.Arrays.fill(longRst, 12, longRst.length, (byte) 'x');
        other.send(longRst);
        assertThatThrownBy(other.conn()::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class, e -> {
            assertThat(e.peerReason().orElseThrow().code()).isEqualTo(77);
            assertThat(e.peerReason().orElseThrow().codeName()).isEqualTo("CODE_77");
            assertThat(e.peerReason().orElseThrow().message()).hasSize(ShutdownReason.MAX_MESSAGE_BYTES);
        });
    }

    @Test
    void rstCutShortWhileItsRestIsSkippedCountsTheWholePayload() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        byte[] rst = new byte[8 + 452];
        dev.frameconn.wire.FrameHeader.encode(rst, 0, dev.frameconn.wire.FrameHeader.RST, 600);
        peer.send(rst);
        peer.raw().shutdownOutput();
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOfSatisfying(TruncatedFrameException.class, e -> {
            assertThat(e.received()).isEqualTo(452);
            assertThat(e.expected()).isEqualTo(600);
        });
    }

    @Test
    void messagesAreCutAtACharacterBoundaryAndPayloadIsNeverOneByte() {
        String euros = "€".repeat(200); // 3 bytes each
        ShutdownReason r = ShutdownReason.of(1, euros);
        assertThat(r.message().getBytes(StandardCharsets.UTF_8).length).isEqualTo(255);
        assertThat(r.message()).matches("€+");
        ByteBuffer out = ByteBuffer.allocate(300);
        assertThat(ShutdownReason.of(0, "").encode(out, 0)).isEqualTo(4);
        ByteBuffer bad = ByteBuffer.wrap(new byte[] {0, 0, 0, 1, (byte) 0xff, 'a'});
        assertThat(ShutdownReason.decode(bad, 0, 6).message()).isEqualTo("\uFFFDa");
    }

    @Test
    void afterAProtocolErrorShutdownSendsTheReasonAndClosesAbortively() throws Exception {
        dev.frameconn.metrics.InMemoryMetrics metrics = new dev.frameconn.metrics.InMemoryMetrics();
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withMetrics(metrics)));
        peer.send(HexFormat.of().parseHex("4000000000000000"));
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(FrameProtocolException.class);
        ShutdownResult result = peer.conn().shutdown(Duration.ofSeconds(10));
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.DRAIN);
        assertThat(result.error()).isInstanceOf(ConnectionBrokenException.class);
        assertThat(metrics.hardCloses(ShutdownStep.DRAIN)).isEqualTo(1);
        byte[] header = peer.receive(8);
        ByteBuffer h = ByteBuffer.wrap(header);
        assertThat(h.getInt(0)).isEqualTo(dev.frameconn.wire.FrameHeader.RST);
        byte[] payload = peer.receive(h.getInt(4));
        assertThat(ByteBuffer.wrap(payload).getInt(0)).isEqualTo(ShutdownReason.PROTOCOL_ERROR);
        assertThat(new String(payload, 4, payload.length - 4, StandardCharsets.UTF_8))
                .contains("type=0x40000000");
    }

    @Test
    void toStringShowsAPeersControlCharactersAsQuestionMarks() {
        ShutdownReason r = ShutdownReason.of(7, "bad\u001b[2J\rline\u202egnp.exe");
        assertThat(r.toString()).endsWith("bad?[2J?line?gnp.exe").doesNotContain("\u001b", "\r", "\u202e");
        assertThat(r.message()).isEqualTo("bad\u001b[2J\rline\u202egnp.exe");
    }
}
