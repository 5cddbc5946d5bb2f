package dev.frameconn.stream;

import static dev.frameconn.stream.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.EndOfStreamException;
import dev.frameconn.FrameConn;
import dev.frameconn.heartbeat.Await;
import dev.frameconn.heartbeat.HeartbeatConfig;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.heartbeat.Loopback;
import dev.frameconn.heartbeat.ManualTicker;
import dev.frameconn.heartbeat.PeerTimeoutException;
import dev.frameconn.heartbeat.StreamStalledException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stream layer over real loopback TCP, with heartbeats underneath. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamConnTest {
    private static final int DATA = 5;
    private Loopback net = new Loopback();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private StreamConn[] streamPair(HeartbeatConfig config) throws IOException {
        return net.streamPair(config);
    }

    private StreamConn[] streamPair() throws IOException {
        return streamPair(net.heartbeatConfig());
    }

    /**
     * Pseudo-random bytes, cheap to make, served in reads of random size
     * (1 byte .. 1 MiB), so frame boundaries fall anywhere.
     */
    static final class RandomSource extends InputStream {
        private final long size;
        private final SplittableRandom sizes;
        private long position;
        private long state;

        RandomSource(long size, long seed) {
            this.size = size;
            this.sizes = new SplittableRandom(seed);
            this.state = seed;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == size) {
                return -1;
            }
            int want = sizes.nextInt(8) == 0 ? 1 + sizes.nextInt(64) : 1 + sizes.nextInt(1 << 20);
            int n = (int) Math.min(Math.min(len, want), size - position);
            for (int i = 0; i < n; i++) {
                // xorshift per byte position: content depends on the offset, not on read sizes
                long x = (position + i) * 0x9E3779B97F4A7C15L ^ state;
                x ^= x >>> 29;
                b[off + i] = (byte) (x ^ x >>> 17);
            }
            position += n;
            return n;
        }
    }

    @Test
    void aSourceThreadThatCannotBeMadeLeavesTheSendingDirectionUsable() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ThreadFactory factory = r -> {
            if (refuse.get()) {
                throw new IllegalStateException("no threads today");
            }
            return net.threads.newThread(r);
        };
        StreamConn[] s = streamPair(net.heartbeatConfig().withThreadFactory(factory));
        refuse.set(true);
        assertThatThrownBy(() -> s[0].send(DATA, new ByteArrayInputStream(new byte[] {1})))
                .hasMessage("no threads today");
        refuse.set(false);
        // two bytes and END fit in the socket buffers: the send returns before anyone reads
        assertThat(s[0].send(DATA, new ByteArrayInputStream(new byte[] {1, 2}))).isEqualTo(2);
        try (StreamInput in = s[1].receive(DATA)) {
            assertThat(in.readAllBytes()).containsExactly(1, 2); // nothing of the failed send came through
        }
    }

    @Test
    void aFailingSourceSendsItsMessageAndTheConnectionCarriesOn() throws Exception {
        StreamConn[] s = streamPair();
        byte[] prefix = new byte[(3 << 19) / 2]; // 1.5 chunks, then the failure
        new Random(3).nextBytes(prefix);
        String message = "zfs send: I/O error on pool tänk/dätä 💥";
        InputStream failing = new InputStream() {
            private final ByteArrayInputStream data = new ByteArrayInputStream(prefix);

            @Override
            public int read() throws IOException {
                int b = data.read();
                if (b < 0) {
                    throw new IOException(message);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = data.read(b, off, len);
                if (n < 0) {
                    throw new IOException(message);
                }
                return n;
            }
        };
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, failing));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        StreamInput in = s[1].receive(DATA);
        assertThatThrownBy(() -> in.transferTo(got)).isInstanceOfSatisfying(StreamSourceException.class, e -> {
            assertThat(e.sourceMessage()).isEqualTo(message);
            assertThat(e.isRemote()).isTrue();
            assertThat(e.getMessage()).contains(message);
        });
        assertThat(got.toByteArray()).isEqualTo(prefix); // everything read before the failure arrived
        assertThatThrownBy(in::read).isInstanceOf(StreamSourceException.class); // and it stays failed
        in.close();
        assertThatThrownBy(sent::join).cause().isInstanceOfSatisfying(StreamSourceException.class, e -> {
            assertThat(e.isRemote()).isFalse();
            assertThat(e.getCause()).hasMessage(message);
        });

        // a source error is not a connection error: the next streams go both ways
        CompletableFuture<Long> again = async(() -> s[0].send(DATA, new ByteArrayInputStream(new byte[] {1, 2})));
        assertThat(s[1].receive(DATA).readAllBytes()).containsExactly(1, 2);
        assertThat(again.get(20, TimeUnit.SECONDS)).isEqualTo(2);
        CompletableFuture<Long> back = async(() -> s[1].send(DATA + 1, new ByteArrayInputStream(new byte[] {3})));
        assertThat(s[0].receive(DATA + 1).readAllBytes()).containsExactly(3);
        assertThat(back.get(20, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void emptyAndChannelStreamsFollowEachOther() throws Exception {
        StreamConn[] s = streamPair();
        CompletableFuture<Long> sent = async(() -> {
            long a = s[0].send(DATA, new ByteArrayInputStream(new byte[0]));
            long b = s[0].send(DATA, Channels.newChannel(new ByteArrayInputStream(new byte[StreamConn.MAX_CHUNK])));
            long c = s[0].send(DATA, new ByteArrayInputStream(new byte[StreamConn.MAX_CHUNK + 1]));
            return a + b + c;
        });
        try (StreamInput in = s[1].receive(DATA)) {
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.read()).isEqualTo(-1);
        }
        try (StreamInput in = s[1].receive(DATA)) {
            ByteBuffer all = ByteBuffer.allocate(StreamConn.MAX_CHUNK + 10);
            while (in.read(all) >= 0) {
                // channel view
            }
            assertThat(all.position()).isEqualTo(StreamConn.MAX_CHUNK);
        }
        assertThat(s[1].receive(DATA, java.io.OutputStream.nullOutputStream())).isEqualTo(StreamConn.MAX_CHUNK + 1);
        assertThat(sent.get(20, TimeUnit.SECONDS)).isEqualTo(2L * StreamConn.MAX_CHUNK + 1);
    }

    @Test
    void oneStreamAtATimePerDirectionAndOnlyApplicationTypes() throws Exception {
        StreamConn[] s = streamPair();
        StreamInput first = s[1].receive(DATA);
        assertThatThrownBy(() -> s[1].receive(DATA)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("receiveState=ACTIVE");
        assertThatThrownBy(() -> s[0].send(StreamConn.END, InputStream.nullInputStream()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type=0x00020000");
        assertThatThrownBy(() -> s[0].send(0x0100_0005, InputStream.nullInputStream()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(StreamConn.isApplicationType(0x00F0_FFFF)).isTrue(); // bits 20..23 are the application's

        CountDownLatch sourceEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream slow = new InputStream() {
            @Override
            public int read() {
                return -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                sourceEntered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return -1;
            }
        };
        CompletableFuture<Long> sending = async(() -> s[0].send(DATA, slow));
        assertThat(sourceEntered.await(20, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> s[0].send(DATA, InputStream.nullInputStream()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sendState=ACTIVE");
        release.countDown();
        assertThat(sending.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(first.read()).isEqualTo(-1);
        first.close();
        // an abandoned receive leaves its direction broken
        StreamInput abandoned = s[1].receive(DATA);
        abandoned.close();
        assertThatThrownBy(() -> s[1].receive(DATA)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("receiveState=BROKEN");
    }

    @Test
    void aFrameOfAnotherTypeIsAProtocolError() throws Exception {
        FrameConn[] pair = net.framePair();
        StreamConn receiver = StreamConn.over(net.wrap(pair[1], net.heartbeatConfig()));
        FrameConn raw = pair[0];
        raw.writeFrame(DATA, new byte[] {1, 2, 3});
        raw.writeFrame(DATA + 1, new byte[] {4});
        StreamInput in = receiver.receive(DATA);
        byte[] buf = new byte[10];
        assertThat(in.read(buf)).isEqualTo(3);
        assertThatThrownBy(() -> in.read(buf)).isInstanceOf(StreamProtocolException.class)
                .hasMessageContaining("type=0x00000006");
        in.close();
        assertThatThrownBy(() -> receiver.receive(DATA)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void dataAfterAnErrorTrailerIsAProtocolErrorAndATrailerNotInUtf8IsNot() throws Exception {
        FrameConn[] pair = net.framePair();
        StreamConn receiver = StreamConn.over(net.wrap(pair[1], net.heartbeatConfig()));
        FrameConn raw = pair[0];
        raw.writeFrame(StreamConn.ERROR_TRAILER, new byte[] {(byte) 0xC3}); // half a character
        raw.writeEmptyFrame(StreamConn.END);
        try (StreamInput in = receiver.receive(DATA)) {
            // as zrepl: a source error all the same (see StreamMessageTest)
            assertThatThrownBy(in::read).isInstanceOf(StreamSourceException.class)
                    .hasMessageContaining("not encoded as UTF-8");
        }
        FrameConn[] pair2 = net.framePair();
        StreamConn receiver2 = StreamConn.over(net.wrap(pair2[1], net.heartbeatConfig()));
        pair2[0].writeFrame(StreamConn.ERROR_TRAILER, "oops".getBytes(StandardCharsets.UTF_8));
        pair2[0].writeFrame(DATA, new byte[] {1});
        try (StreamInput in = receiver2.receive(DATA)) {
            assertThatThrownBy(in::read).isInstanceOf(StreamProtocolException.class)
                    .hasMessageContaining("after an ERROR_TRAILER");
        }
    }

    @Test
    void aPeerThatClosesMidStreamBreaksTheStream() throws Exception {
        FrameConn[] pair = net.framePair();
        StreamConn receiver = StreamConn.over(net.wrap(pair[1], net.heartbeatConfig()));
        pair[0].writeFrame(DATA, new byte[100]);
        pair[0].close();
        StreamInput in = receiver.receive(DATA);
        assertThat(in.readNBytes(100)).hasSize(100);
        assertThatThrownBy(in::read).isInstanceOfSatisfying(StreamBrokenException.class,
                e -> assertThat(e.getCause()).isInstanceOfAny(EndOfStreamException.class,
                        dev.frameconn.ConnectionResetException.class));
        in.close();
    }

    @Test
    void aPeerThatVanishesMidStreamIsDetectedWithinThePeerTimeout() throws Exception {
        ManualTicker clock = new ManualTicker();
        net.close();
        net = new Loopback(clock);
        FrameConn[] pair = net.framePair();
        StreamConn receiver = StreamConn.over(net.wrap(pair[1], net.heartbeatConfig()));
        pair[0].writeFrame(DATA, new byte[100]); // then silence: no data, no heartbeats
        StreamInput in = receiver.receive(DATA);
        assertThat(in.readNBytes(100)).hasSize(100);
        CompletableFuture<Integer> next = async(in::read);
        // the read idle timeout counts from the reader's current read call, which began when the
        // data frame arrived; 10 s after that, and not before, the peer is declared dead
        Await.stays("alive before the timeout", () -> !next.isDone(), Duration.ofMillis(50));
        clock.advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> next.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StreamBrokenException.class,
                        e -> assertThat(e.getCause()).isInstanceOf(PeerTimeoutException.class));
        in.close();
    }

    @Test
    void aFrozenSourceUnderLiveHeartbeatsIsReportedAsStalled() throws Exception {
        ManualTicker clock = new ManualTicker();
        net.close();
        net = new Loopback(clock);
        StreamConn[] s = streamPair(net.heartbeatConfig().withStallTimeout(Duration.ofSeconds(30)));
        CountDownLatch frozen = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream source = new InputStream() {
            private int served;

            @Override
            public int read() {
                return -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served < StreamConn.MAX_CHUNK) {
                    int n = Math.min(len, StreamConn.MAX_CHUNK - served);
                    served += n;
                    return n;
                }
                frozen.countDown(); // like a disk that hangs: the sender has nothing to send
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return -1;
            }
        };
        CompletableFuture<Long> sending = async(() -> s[0].send(DATA, source));
        StreamInput in = s[1].receive(DATA);
        assertThat(in.readNBytes(StreamConn.MAX_CHUNK)).hasSize(StreamConn.MAX_CHUNK);
        assertThat(frozen.await(20, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Integer> next = async(in::read);
        HeartbeatConn receiverHb = s[1].heartbeatConn();
        HeartbeatConn senderHb = s[0].heartbeatConn();
        try {
            for (int i = 0; i < 60 && !next.isDone(); i++) {
                clock.advance(Duration.ofSeconds(1));
                for (HeartbeatConn side : new HeartbeatConn[] {receiverHb, senderHb}) {
                    Await.until("heartbeats flow at step " + i + ": receiver " + receiverHb + " since "
                            + receiverHb.sinceLastReceived() + ", sender " + senderHb + " since "
                            + senderHb.sinceLastReceived(), () -> next.isDone()
                            || side.sinceLastReceived().compareTo(Duration.ofSeconds(6)) < 0);
                }
            }
        } finally {
            release.countDown();
        }
        assertThatThrownBy(() -> next.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StreamBrokenException.class, e -> assertThat(e.getCause())
                        .isInstanceOf(StreamStalledException.class).hasMessageContaining("stallTimeout=30s"));
        assertThat(receiverHb.heartbeatsReceived()).isGreaterThanOrEqualTo(4); // the sender was alive
        in.close();
        release.countDown();
        // the sender learns of the closed connection when it writes END, or a little later
        sending.handle((bytes, error) -> null).get(20, TimeUnit.SECONDS);
    }

    @Test
    void longSourceMessagesAreCutAtACharacterBoundary() {
        String message = "é".repeat(StreamConn.MAX_TRAILER_SEND); // 2 bytes each
        byte[] cut = StreamSender.trailerBytes(message);
        assertThat(cut.length).isLessThanOrEqualTo(StreamConn.MAX_TRAILER_SEND);
        assertThat(new String(cut, StandardCharsets.UTF_8)).isEqualTo("é".repeat(cut.length / 2));
        assertThat(Arrays.equals(StreamSender.trailerBytes("short"), "short".getBytes(StandardCharsets.UTF_8)))
                .isTrue();
    }
}
