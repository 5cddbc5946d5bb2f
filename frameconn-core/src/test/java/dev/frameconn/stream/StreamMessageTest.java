package dev.frameconn.stream;

import static dev.frameconn.stream.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.EndOfStreamException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.heartbeat.Loopback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * zrepl's semantics where they are finer than "the stream ended or not": the
 * error trailer that is not UTF-8, and the message API
 * ({@code WriteStreamedMessage}/{@code ReadStreamedMessage}) with the state each
 * outcome leaves the connection in. Over real loopback TCP with heartbeats.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamMessageTest {
    private static final int DATA = 5;
    private final Loopback net = new Loopback();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private StreamConn[] streamPair() throws IOException {
        return net.streamPair(net.heartbeatConfig());
    }

    /** [0] a raw framed connection that writes whatever a test wants; [1] a stream layer reading it. */
    private record Raw(FrameConn raw, StreamConn receiver) {}

    private Raw rawSender() throws IOException {
        FrameConn[] pair = net.framePair();
        return new Raw(pair[0], StreamConn.over(net.wrap(pair[1], net.heartbeatConfig())));
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void assertReceiveBroken(StreamConn c) {
        assertThatThrownBy(() -> c.receiveMessage(DATA, 10)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("receiveState=BROKEN");
    }

    // ---------------------------------------------------------------- error trailer that is not UTF-8

    @Test
    void aTrailerThatIsNotUtf8IsASourceErrorAndTheNextStreamStillArrives() throws Exception {
        Raw r = rawSender();
        byte[] bad = {'d', 'i', 's', 'k', ' ', (byte) 0xC3, ' ', 'f', 'u', 'l', 'l', (byte) 0xFF};
        r.raw().writeFrame(DATA, new byte[] {1, 2});
        r.raw().writeFrame(StreamConn.ERROR_TRAILER, bad);
        r.raw().writeEmptyFrame(StreamConn.END);
        r.raw().writeFrame(DATA, new byte[] {7, 8, 9});
        r.raw().writeEmptyFrame(StreamConn.END);
        r.raw().flush();

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (StreamInput in = r.receiver().receive(DATA)) {
            assertThatThrownBy(() -> in.transferTo(got)).isInstanceOfSatisfying(StreamSourceException.class, e -> {
                assertThat(e.isRemote()).isTrue();
                assertThat(e.isUtf8()).isFalse();
                assertThat(e.sourceMessage()).isEqualTo("disk \uFFFD full\uFFFD");
                assertThat(e.getMessage()).contains("not encoded as UTF-8", "12 bytes", "disk \uFFFD full\uFFFD");
            });
        }
        assertThat(got.toByteArray()).containsExactly(1, 2);
        // as after any trailer that ended with END: the direction carries the next stream
        try (StreamInput in = r.receiver().receive(DATA)) {
            assertThat(in.readAllBytes()).containsExactly(7, 8, 9);
        }
    }

    @Test
    void aValidTrailerIsMarkedUtf8() throws Exception {
        Raw r = rawSender();
        r.raw().writeFrame(StreamConn.ERROR_TRAILER, "tänk".getBytes(StandardCharsets.UTF_8));
        r.raw().writeEmptyFrame(StreamConn.END);
        r.raw().flush();
        assertThatThrownBy(() -> r.receiver().receiveMessage(DATA, 10))
                .isInstanceOfSatisfying(StreamSourceException.class, e -> {
                    assertThat(e.isUtf8()).isTrue();
                    assertThat(e.sourceMessage()).isEqualTo("tänk");
                });
    }

    // ---------------------------------------------------------------- messages

    @Test
    void messagesWithinAndExactlyAtTheBoundArriveAndLeaveBothDirectionsUsable() throws Exception {
        StreamConn[] s = streamPair();
        int twoFrames = StreamConn.MAX_CHUNK + 1;
        byte[] small = random(100, 1);
        byte[] large = random(twoFrames, 2);
        CompletableFuture<Void> sent = async(() -> {
            s[0].sendMessage(DATA, small);
            s[0].sendMessage(DATA, large);
            s[0].sendMessage(DATA, new byte[0]);
            s[0].sendMessage(DATA + 1, small);
            return null;
        });
        assertThat(s[1].receiveMessage(DATA, 1000)).isEqualTo(small);          // within
        assertThat(s[1].receiveMessage(DATA, twoFrames)).isEqualTo(large);    // exactly at, over two frames
        assertThat(s[1].receiveMessage(DATA, 0)).isEmpty();                   // empty, bound 0
        assertThat(s[1].receiveMessage(DATA + 1, small.length)).isEqualTo(small);
        sent.get(20, TimeUnit.SECONDS);
        // and the other way: both directions are still clean
        CompletableFuture<Void> back = async(() -> {
            s[1].sendMessage(DATA, small);
            return null;
        });
        assertThat(s[0].receiveMessage(DATA, 100)).isEqualTo(small);
        back.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aMessageIsAnOrdinaryStreamOnTheWire() throws Exception {
        StreamConn[] s = streamPair();
        byte[] m = random(2 * StreamConn.MAX_CHUNK + 3, 3);
        CompletableFuture<Void> sent = async(() -> {
            s[0].sendMessage(DATA, m);
            return null;
        });
        // a message is read by receive(), and a stream sent by send() by receiveMessage()
        try (StreamInput in = s[1].receive(DATA)) {
            assertThat(in.readAllBytes()).isEqualTo(m);
        }
        sent.get(20, TimeUnit.SECONDS);
        CompletableFuture<Long> streamed = async(() -> s[0].send(DATA, new java.io.ByteArrayInputStream(m)));
        assertThat(s[1].receiveMessage(DATA, m.length)).isEqualTo(m);
        assertThat(streamed.get(20, TimeUnit.SECONDS)).isEqualTo(m.length);

        // frame by frame, as a raw peer sees it: full chunks, the rest, then an empty END
        FrameConn[] pair = net.framePair();
        StreamConn sender = StreamConn.over(net.wrap(pair[0], net.heartbeatConfig()));
        CompletableFuture<Void> rawSent = async(() -> {
            sender.sendMessage(DATA, m);
            return null;
        });
        List<String> frames = new ArrayList<>();
        while (frames.isEmpty() || !frames.get(frames.size() - 1).startsWith("END")) {
            try (Frame f = pair[1].readFrame()) {
                if (f.type() != HeartbeatConn.HEARTBEAT) {
                    frames.add(StreamConn.typeName(f.type()) + ":" + f.length());
                }
            }
        }
        assertThat(frames).containsExactly("0x00000005:" + StreamConn.MAX_CHUNK,
                "0x00000005:" + StreamConn.MAX_CHUNK, "0x00000005:3", "END:0");
        rawSent.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aMessagePastTheBoundFailsAndBreaksOnlyTheReceivingDirection() throws Exception {
        StreamConn[] s = streamPair();
        int max = 1000;
        byte[] tooLong = random(max + 1, 4);
        CompletableFuture<Void> sent = async(() -> {
            s[0].sendMessage(DATA, tooLong);
            return null;
        });
        assertThatThrownBy(() -> s[1].receiveMessage(DATA, max)).isInstanceOfSatisfying(
                MessageTooLongException.class, e -> {
                    assertThat(e.maxBytes()).isEqualTo(max);
                    assertThat(e.type()).isEqualTo(DATA);
                    assertThat(e.getMessage()).contains("maxBytes=1000", "type=0x00000005", "broken");
                });
        sent.get(20, TimeUnit.SECONDS); // for the sender it was an ordinary stream
        // the rest was not drained: the receiving direction is unclean, as zrepl leaves it
        assertReceiveBroken(s[1]);
        assertThatThrownBy(() -> s[1].receive(DATA)).isInstanceOf(IllegalStateException.class);
        // the connection and the other direction are fine
        CompletableFuture<Void> back = async(() -> {
            s[1].sendMessage(DATA, new byte[] {42});
            return null;
        });
        assertThat(s[0].receiveMessage(DATA, 1)).containsExactly(42);
        back.get(20, TimeUnit.SECONDS);
    }

    @Test
    void oneByteOverAZeroOrAFullFrameBoundIsTooLong() throws Exception {
        Raw r = rawSender();
        r.raw().writeFrame(DATA, new byte[] {1});
        r.raw().writeEmptyFrame(StreamConn.END);
        r.raw().flush();
        assertThatThrownBy(() -> r.receiver().receiveMessage(DATA, 0)).isInstanceOf(MessageTooLongException.class)
                .hasMessageContaining("maxBytes=0");
        assertReceiveBroken(r.receiver());

        Raw r2 = rawSender();
        r2.raw().writeFrame(DATA, new byte[StreamConn.MAX_CHUNK]);
        r2.raw().writeEmptyFrame(DATA); // empty data frames are legal and carry nothing
        r2.raw().writeFrame(DATA, new byte[1]);
        r2.raw().writeEmptyFrame(StreamConn.END);
        r2.raw().flush();
        assertThatThrownBy(() -> r2.receiver().receiveMessage(DATA, StreamConn.MAX_CHUNK))
                .isInstanceOf(MessageTooLongException.class);
        assertReceiveBroken(r2.receiver());
    }

    @Test
    void aSourceErrorMessageLeavesTheConnectionClean() throws Exception {
        StreamConn[] s = streamPair();
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("no such dataset: pool/ä");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw new IOException("no such dataset: pool/ä");
            }
        };
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, failing));
        assertThatThrownBy(() -> s[1].receiveMessage(DATA, 100)).isInstanceOfSatisfying(
                StreamSourceException.class, e -> {
                    assertThat(e.sourceMessage()).isEqualTo("no such dataset: pool/ä");
                    assertThat(e.isRemote()).isTrue();
                });
        assertThatThrownBy(sent::join).cause().isInstanceOf(StreamSourceException.class);
        // a trailer ended with END: zrepl's isConnCleanAfterRead says clean, and so do we
        CompletableFuture<Void> next = async(() -> {
            s[0].sendMessage(DATA, new byte[] {1, 2, 3});
            return null;
        });
        assertThat(s[1].receiveMessage(DATA, 3)).containsExactly(1, 2, 3);
        next.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aProtocolErrorInAMessageBreaksTheReceivingDirection() throws Exception {
        Raw r = rawSender();
        r.raw().writeFrame(DATA, new byte[] {1});
        r.raw().writeFrame(DATA + 1, new byte[] {2});
        r.raw().flush();
        assertThatThrownBy(() -> r.receiver().receiveMessage(DATA, 100)).isInstanceOf(StreamProtocolException.class)
                .hasMessageContaining("type=0x00000006");
        assertReceiveBroken(r.receiver());
    }

    @Test
    void aConnectionThatBreaksInAMessageBreaksTheReceivingDirection() throws Exception {
        Raw r = rawSender();
        r.raw().writeFrame(DATA, new byte[] {1});
        r.raw().close(); // mid-message, no END
        assertThatThrownBy(() -> r.receiver().receiveMessage(DATA, 100)).isInstanceOfSatisfying(
                StreamBrokenException.class, e -> assertThat(e.getCause()).isInstanceOfAny(
                        EndOfStreamException.class, dev.frameconn.ConnectionResetException.class));
        assertReceiveBroken(r.receiver());
    }

    @Test
    void aSendOnABrokenConnectionBreaksTheSendingDirection() throws Exception {
        StreamConn[] s = streamPair();
        s[0].heartbeatConn().close();
        assertThatThrownBy(() -> s[0].sendMessage(DATA, new byte[] {1})).isInstanceOf(StreamBrokenException.class)
                .hasMessageContaining("sending a message failed");
        assertThatThrownBy(() -> s[0].sendMessage(DATA, new byte[] {1})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sendState=BROKEN");
    }

    @Test
    void callerMistakesAreNamed() throws Exception {
        StreamConn[] s = streamPair();
        assertThatThrownBy(() -> s[1].receiveMessage(DATA, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBytes=-1");
        assertThatThrownBy(() -> s[1].receiveMessage(StreamConn.END, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("type=0x00020000");
        assertThatThrownBy(() -> s[0].sendMessage(StreamConn.ERROR_TRAILER, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type=0x00010000");
        // a mistake claims nothing: both directions still work
        CompletableFuture<Void> sent = async(() -> {
            s[0].sendMessage(DATA, new byte[] {5});
            return null;
        });
        assertThat(s[1].receiveMessage(DATA, 1)).containsExactly(5);
        sent.get(20, TimeUnit.SECONDS);
    }
}
