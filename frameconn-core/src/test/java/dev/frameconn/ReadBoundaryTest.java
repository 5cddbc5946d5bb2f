package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.testkit.Fixtures;
import java.util.HexFormat;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC §2: when a frame is handed out, end of stream, truncation, and the length bound. */
@Timeout(60)
class ReadBoundaryTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void frameArrivingOneByteAtATimeIsDeliveredWhenComplete() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        Future<Frame> read = f.threads.submit(peer.conn()::readFrame);
        byte[] bytes = HexFormat.of().parseHex("0000000b00000006" + "0102030405ff");
        for (int i = 0; i < bytes.length; i++) {
            peer.send(new byte[] {bytes[i]});
            if (i < bytes.length - 1) {
                // give an early hand-out time to show: checking isDone() at once would race the reader
                assertThat(completesWithin(read, 50)).as("frame handed out after %d of %d bytes", i + 1, bytes.length)
                        .isFalse();
            }
        }
        try (Frame frame = Fixtures.get(read)) {
            assertThat(frame.type()).isEqualTo(11);
            assertThat(frame.toByteArray()).containsExactly(1, 2, 3, 4, 5, 0xff);
        }
    }

    /** Whether {@code future} completes (either way) within {@code millis}. */
    private static boolean completesWithin(Future<?> future, long millis) throws InterruptedException {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    /** The Go original can hold a non-empty frame back until the next header arrives; we must not. */
    @ParameterizedTest
    @ValueSource(ints = {1, 100, 9000, 70_000, 1 << 20})
    void frameIsDeliveredWithoutWaitingForTheNextOne(int length) throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        byte[] payload = Fixtures.pattern(length, length);
        byte[] frame = new byte[8 + length];
        dev.frameconn.wire.FrameHeader.encode(frame, 0, 3, length);
        System.arraycopy(payload, 0, frame, 8, length);
        Future<Frame> read = f.threads.submit(peer.conn()::readFrame);
        peer.send(frame); // and then nothing: no empty frame to push it through
        try (Frame got = read.get(10, TimeUnit.SECONDS)) {
            assertThat(got.toByteArray()).isEqualTo(payload);
        }
    }

    @Test
    void lastFrameBeforeEndOfStreamIsDeliveredThenEndOfStream() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.send(HexFormat.of().parseHex("00000001000000026869" + "0000000200000000"));
        peer.raw().shutdownOutput();
        try (Frame a = peer.conn().readFrame(); Frame b = peer.conn().readFrame()) {
            assertThat(a.toByteArray()).containsExactly('h', 'i');
            assertThat(b.type()).isEqualTo(2);
        }
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(EndOfStreamException.class);
        assertThatThrownBy(peer.conn()::readFrame).as("end of stream is sticky").isInstanceOf(EndOfStreamException.class);
        // only the peer's direction ended: writing still works
        peer.conn().writeFrame(1, new byte[] {1});
        assertThat(peer.receive(9)).hasSize(9);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 7})
    void endOfStreamInsideHeaderIsTruncated(int headerBytes) throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        byte[] whole = HexFormat.of().parseHex("0000000100000000" + "0000000200000005");
        peer.send(java.util.Arrays.copyOf(whole, 8 + headerBytes));
        peer.raw().shutdownOutput();
        try (Frame complete = peer.conn().readFrame()) {
            assertThat(complete.type()).isEqualTo(1);
        }
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOfSatisfying(TruncatedFrameException.class, e -> {
            assertThat(e.received()).isEqualTo(headerBytes);
            assertThat(e.expected()).isEqualTo(8);
        }).hasMessageContaining("header");
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(ConnectionBrokenException.class)
                .hasCauseInstanceOf(TruncatedFrameException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5000, 99_999})
    void endOfStreamInsidePayloadIsTruncated(int payloadBytes) throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        byte[] frame = new byte[8 + payloadBytes];
        dev.frameconn.wire.FrameHeader.encode(frame, 0, 9, 100_000);
        peer.send(frame);
        peer.raw().shutdownOutput();
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOfSatisfying(TruncatedFrameException.class, e -> {
            assertThat(e.received()).isEqualTo(payloadBytes);
            assertThat(e.expected()).isEqualTo(100_000);
        }).hasMessageContaining("payload");
    }

    @Test
    void oversizeLengthIsRejectedBeforeAnyAllocation() throws Exception {
        BufferPool pool = new BufferPool(6, 24, 16, 16L << 20);
        FrameConnConfig config = f.config().withBufferPool(pool).withMaxPayloadLength(1 << 20);
        Fixtures.RawPeer peer = f.track(f.rawPeer(config));
        // prime the connection's own read buffer, so the only allocation left is the payload's
        peer.send(HexFormat.of().parseHex("0000000100000000"));
        peer.conn().readFrame().close();
        long allocationsBefore = pool.allocations();
        long outstandingBefore = pool.outstanding();
        peer.send(HexFormat.of().parseHex("00000004" + "ffffffff"));
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
            assertThat(e.length()).isEqualTo(0xFFFF_FFFFL);
            assertThat(e.maxLength()).isEqualTo(1 << 20);
            assertThat(e.type()).isEqualTo(4);
        }).hasMessageContaining("length=4294967295").hasMessageContaining("maxPayloadLength=1048576");
        assertThat(pool.allocations()).as("nothing allocated for the oversize frame").isEqualTo(allocationsBefore);
        assertThat(pool.outstanding()).isEqualTo(outstandingBefore);
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(ConnectionBrokenException.class);
        peer.close();
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void lengthExactlyAtTheMaximumIsAccepted() throws Exception {
        FrameConnConfig config = f.config().withMaxPayloadLength(1000);
        Fixtures.RawPeer peer = f.track(f.rawPeer(config));
        byte[] frame = new byte[8 + 1000];
        dev.frameconn.wire.FrameHeader.encode(frame, 0, 1, 1000);
        peer.send(frame);
        try (Frame got = peer.conn().readFrame()) {
            assertThat(got.length()).isEqualTo(1000);
        }
        dev.frameconn.wire.FrameHeader.encode(frame, 0, 1, 1001);
        peer.send(java.util.Arrays.copyOf(frame, 8));
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(FrameTooLargeException.class);
    }

    @Test
    void anRstIsBoundByTheMaximumToo() throws Exception {
        byte[] reason = rstPayload(ShutdownReason.GOING_AWAY, "bye"); // 7 bytes
        FrameConnConfig config = f.config().withMaxPayloadLength(reason.length);
        Fixtures.RawPeer atMost = f.track(f.rawPeer(config));
        atMost.send(TestFrames.frame(dev.frameconn.wire.FrameHeader.RST, reason));
        assertThatThrownBy(atMost.conn()::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class, e -> {
            assertThat(e.byPeer()).isTrue();
            assertThat(e.peerReason()).contains(ShutdownReason.of(ShutdownReason.GOING_AWAY, "bye"));
        });

        Fixtures.RawPeer over = f.track(f.rawPeer(config));
        over.send(TestFrames.frame(dev.frameconn.wire.FrameHeader.RST, rstPayload(ShutdownReason.GOING_AWAY, "bye!")));
        assertThatThrownBy(over.conn()::readFrame).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
            assertThat(e.type()).isEqualTo(dev.frameconn.wire.FrameHeader.RST);
            assertThat(e.length()).isEqualTo(8);
            assertThat(e.maxLength()).isEqualTo(7);
        });
    }

    private static byte[] rstPayload(int code, String message) {
        byte[] utf8 = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(4 + utf8.length).putInt(code).put(utf8).array();
    }
}
