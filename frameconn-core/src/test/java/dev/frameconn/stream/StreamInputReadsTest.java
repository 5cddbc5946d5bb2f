package dev.frameconn.stream;

import static dev.frameconn.stream.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.FrameConn;
import dev.frameconn.heartbeat.Loopback;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each way of reading a {@link StreamInput} (a byte, into an array at an offset, into a buffer at
 * its position, to a stream, to a channel) hands over the right bytes and counts them, and the
 * accessors say where the stream is. Also the message API's bounds: the largest bound, a trailer
 * at and past its limit, and the wire of an empty message.
 * Over real loopback TCP; each test is a few round trips.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamInputReadsTest {
    private static final int DATA = 5;
    private final Loopback net = new Loopback();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    /** 0x00, 0x01, … wrapping, so that bytes above 0x7f are among them. */
    private static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 7 + 0xF0);
        }
        return b;
    }

    @Test
    void everyReadHandsOverTheRightBytesAndCountsThem() throws Exception {
        StreamConn[] s = net.streamPair(net.heartbeatConfig());
        byte[] m = pattern(300);
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, new ByteArrayInputStream(m)));
        StreamInput in = s[1].receive(DATA);
        assertThat(in.type()).isEqualTo(DATA);
        assertThat(in.isOpen()).isTrue();
        assertThat(in.isEnded()).isFalse();
        assertThat(in.available()).isZero(); // nothing read in yet
        assertThat(in.toString()).isEqualTo("StreamInput[type=0x00000005, bytesReceived=0]");

        assertThat(in.read()).isEqualTo(0xF0); // a byte above 0x7f, not sign-extended
        assertThat(in.bytesReceived()).isEqualTo(1);
        assertThat(in.available()).isEqualTo(299); // the rest of the one frame

        byte[] into = new byte[10];
        assertThat(in.read(into, 2, 5)).isEqualTo(5);
        assertThat(Arrays.copyOfRange(into, 2, 7)).isEqualTo(Arrays.copyOfRange(m, 1, 6));
        assertThat(into[0]).isZero();
        assertThat(into[7]).isZero();
        assertThat(in.bytesReceived()).isEqualTo(6);
        assertThat(in.read(into, 0, 0)).isZero();

        ByteBuffer dst = ByteBuffer.allocate(6).position(1).limit(5);
        assertThat(in.read(dst)).isEqualTo(4);
        assertThat(dst.position()).isEqualTo(5);
        assertThat(Arrays.copyOfRange(dst.array(), 1, 5)).isEqualTo(Arrays.copyOfRange(m, 6, 10));
        assertThat(in.bytesReceived()).isEqualTo(10);
        assertThat(in.read(ByteBuffer.allocate(0))).isZero();
        assertThat(in.available()).isEqualTo(290);

        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        assertThat(in.transferTo(rest)).isEqualTo(290);
        assertThat(rest.toByteArray()).isEqualTo(Arrays.copyOfRange(m, 10, 300));
        assertThat(in.bytesReceived()).isEqualTo(300);
        assertThat(in.isEnded()).isTrue();
        assertThat(in.toString()).isEqualTo("StreamInput[type=0x00000005, bytesReceived=300, ended]");
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(into, 0, 1)).isEqualTo(-1);
        assertThat(in.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        assertThat(in.available()).isZero();
        assertThat(sent.get(20, TimeUnit.SECONDS)).isEqualTo(300);

        in.close();
        assertThat(in.isOpen()).isFalse();
        assertThatThrownBy(in::available).isInstanceOf(IOException.class).hasMessage("stream closed");
        assertThatThrownBy(in::read).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aTransferToAChannelReturnsAndCountsEveryByteOfEveryFrame() throws Exception {
        StreamConn[] s = net.streamPair(net.heartbeatConfig());
        byte[] m = pattern(2 * StreamConn.MAX_CHUNK + 3);
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, new ByteArrayInputStream(m)));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long[] observed = new long[1];
        try (StreamInput in = s[1].receive(DATA)) {
            assertThat(in.read()).isEqualTo(m[0] & 0xFF); // the transfer starts inside a frame
            assertThat(in.transferTo(Channels.newChannel(got), p -> observed[0] += p.remaining()))
                    .isEqualTo(m.length - 1);
            assertThat(in.bytesReceived()).isEqualTo(m.length);
        }
        assertThat(observed[0]).isEqualTo(m.length - 1);
        assertThat(got.toByteArray()).isEqualTo(Arrays.copyOfRange(m, 1, m.length));
        sent.get(20, TimeUnit.SECONDS);
        // and without an observer
        CompletableFuture<Long> again = async(() -> s[0].send(DATA, new ByteArrayInputStream(m, 0, 5)));
        try (StreamInput in = s[1].receive(DATA)) {
            assertThat(in.transferTo(Channels.newChannel(new ByteArrayOutputStream()))).isEqualTo(5);
            assertThat(in.bytesReceived()).isEqualTo(5);
        }
        again.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aClosedStreamBeforeEndSaysFailedOnceAFrameFails() throws Exception {
        FrameConn[] pair = net.framePair();
        StreamConn receiver = StreamConn.over(net.wrap(pair[1], net.heartbeatConfig()));
        pair[0].writeFrame(DATA + 1, new byte[] {1});
        pair[0].flush();
        StreamInput in = receiver.receive(DATA);
        assertThatThrownBy(in::read).isInstanceOf(StreamProtocolException.class);
        assertThat(in.toString()).isEqualTo("StreamInput[type=0x00000005, bytesReceived=0, failed]");
        in.close();
    }

    @Test
    void aTrailerOfExactlyTheLimitIsTheSendersMessageAndOneByteMoreIsAProtocolError() throws Exception {
        int limit = StreamConn.MAX_TRAILER_RECEIVE;
        FrameConn[] pair = net.framePair();
        StreamConn receiver = StreamConn.over(net.wrap(pair[1], net.heartbeatConfig()));
        byte[] whole = new byte[limit];
        Arrays.fill(whole, (byte) 'e');
        CompletableFuture<Void> written = async(() -> {
            // exactly the limit, in two pieces
            pair[0].writeFrame(StreamConn.ERROR_TRAILER, Arrays.copyOf(whole, limit - 1));
            pair[0].writeFrame(StreamConn.ERROR_TRAILER, new byte[] {'e'});
            pair[0].writeEmptyFrame(StreamConn.END);
            // one byte over, where the second piece is the one that crosses it
            pair[0].writeFrame(StreamConn.ERROR_TRAILER, whole);
            pair[0].writeFrame(StreamConn.ERROR_TRAILER, new byte[] {'x'});
            pair[0].writeEmptyFrame(StreamConn.END);
            pair[0].flush();
            return null;
        });
        assertThatThrownBy(() -> receiver.receiveMessage(DATA, 10))
                .isInstanceOfSatisfying(StreamSourceException.class,
                        e -> assertThat(e.sourceMessage()).hasSize(limit));
        assertThatThrownBy(() -> receiver.receiveMessage(DATA, 10)).isInstanceOf(StreamProtocolException.class)
                .hasMessageEndingWith("error trailer longer than maxTrailer=" + limit + " bytes");
        written.get(20, TimeUnit.SECONDS);
    }

    @Test
    void dataAfterAnErrorTrailerIsAProtocolError() throws Exception {
        FrameConn[] pair = net.framePair();
        StreamConn receiver = StreamConn.over(net.wrap(pair[1], net.heartbeatConfig()));
        pair[0].writeFrame(StreamConn.ERROR_TRAILER, new byte[] {'n', 'o'});
        pair[0].writeFrame(DATA, new byte[] {1});
        pair[0].flush();
        assertThatThrownBy(() -> receiver.receiveMessage(DATA, 10)).isInstanceOf(StreamProtocolException.class)
                .hasMessageEndingWith("received type=0x00000005 after an ERROR_TRAILER; expected ERROR_TRAILER or END");
    }

    @Test
    void theLargestBoundIsAccepted() throws Exception {
        StreamConn[] s = net.streamPair(net.heartbeatConfig());
        CompletableFuture<Void> sent = async(() -> {
            s[0].sendMessage(DATA, new byte[] {4, 2});
            return null;
        });
        assertThat(s[1].receiveMessage(DATA, StreamMessages.MAX_BOUND)).containsExactly(4, 2);
        sent.get(20, TimeUnit.SECONDS);
        assertThatThrownBy(() -> s[1].receiveMessage(DATA, StreamMessages.MAX_BOUND + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBytes=2147483640 must be in 0..2147483639");
    }

    @Test
    void anEmptyMessageIsOnlyEnd() throws Exception {
        FrameConn[] pair = net.framePair();
        StreamConn sender = StreamConn.over(net.wrap(pair[0], net.heartbeatConfig()));
        sender.sendMessage(DATA, new byte[0]);
        // the first frame that is not a heartbeat is END: no empty data frame before it
        while (true) {
            try (var f = pair[1].readFrame()) {
                if (f.type() != dev.frameconn.heartbeat.HeartbeatConn.HEARTBEAT) {
                    assertThat(StreamConn.typeName(f.type())).isEqualTo("END");
                    break;
                }
            }
        }
    }
}
