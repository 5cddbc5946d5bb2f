package dev.frameconn.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.FrameServer;
import dev.frameconn.ShutdownResult;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.heartbeat.Loopback;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 * Wire compatibility, checked against a peer written here from SPEC §1, §6
 * (RST), §7 and §8 alone: plain {@link Socket}, {@link DataInputStream}, no
 * library code. Constants are spelled out as the SPEC gives them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireInteropTest {
    // SPEC §1 table
    private static final int RST = 0x1000_0000;
    private static final int HEARTBEAT = 0x0100_0000;
    private static final int ERROR_TRAILER = 0x0001_0000;
    private static final int END = 0x0002_0000;
    private static final int MAX_STREAM_PAYLOAD = 512 * 1024;
    private static final int DATA = 3;

    private final Loopback net = new Loopback();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    /** What the minimal reader saw of one stream. */
    // a holder the test reads field by field, never compares as a whole
    @SuppressWarnings("ArrayRecordComponent")
    record Received(byte[] data, String sourceError, List<Integer> dataFrameSizes) {}

    /** SPEC-only reader: frames are type(u32 BE), length(u32 BE), payload. */
    static final class MinimalPeer implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;
        int heartbeatsSeen;
        boolean rstSeen;

        MinimalPeer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = new DataOutputStream(socket.getOutputStream());
        }

        /** Reads one stream of type {@code type}; heartbeats are dropped (SPEC §7). */
        Received readStream(int type) throws IOException {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            ByteArrayOutputStream trailer = null;
            List<Integer> sizes = new ArrayList<>();
            while (true) {
                int t = in.readInt();
                int n = in.readInt();
                byte[] payload = in.readNBytes(n);
                if (payload.length != n) {
                    throw new EOFException("truncated frame");
                }
                if (t == HEARTBEAT) {
                    assertThat(n).isZero();
                    heartbeatsSeen++;
                } else if (t == type && trailer == null) {
                    assertThat(n).isLessThanOrEqualTo(MAX_STREAM_PAYLOAD);
                    sizes.add(n);
                    data.write(payload);
                } else if (t == ERROR_TRAILER) {
                    if (trailer == null) {
                        trailer = new ByteArrayOutputStream();
                    }
                    trailer.write(payload);
                } else if (t == END) {
                    assertThat(n).isZero();
                    String error = trailer == null ? null : trailer.toString(StandardCharsets.UTF_8);
                    return new Received(data.toByteArray(), error, sizes);
                } else {
                    throw new AssertionError("unexpected type=" + Integer.toHexString(t));
                }
            }
        }

        void writeFrame(int type, byte[] payload, int off, int len) throws IOException {
            out.writeInt(type);
            out.writeInt(len);
            out.write(payload, off, len);
        }

        /**
         * SPEC §6 from the side that answers: read until the peer's RST (dropping
         * heartbeats), send our RST, half-close, read to end of stream, close.
         */
        void answerShutdown() throws IOException {
            while (!rstSeen) {
                int t = in.readInt();
                int n = in.readInt();
                in.skipNBytes(n);
                if (t == RST) {
                    rstSeen = true;
                } else if (t == HEARTBEAT) {
                    heartbeatsSeen++;
                } else {
                    throw new AssertionError("unexpected type=" + Integer.toHexString(t) + " before RST");
                }
            }
            initiateShutdown();
        }

        /** SPEC §6 from the side that begins: RST, half-close, read to end of stream, close. */
        void initiateShutdown() throws IOException {
            out.writeInt(RST);
            out.writeInt(0);
            out.flush();
            socket.shutdownOutput();
            while (in.read() >= 0) {
                // discard until the peer's end of stream
            }
            socket.close();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void streamsWrittenByTheLibraryAreReadByASpecOnlyPeer() throws Exception {
        byte[] data = randomBytes(3 * MAX_STREAM_PAYLOAD + 12_345, 11);
        String message = "cannot read snapshot: Eingabe-/Ausgabefehler";
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        net.frameConfig());
                Socket socket = new Socket()) {
            socket.connect(server.localAddress());
            StreamConn library = StreamConn.over(net.wrap(server.accept(), net.heartbeatConfig()));
            MinimalPeer peer = new MinimalPeer(socket);

            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    // random read sizes on the source side must not show on the wire
                    InputStream trickle = new SequenceInputStream(
                            new ByteArrayInputStream(data, 0, 1000), new ByteArrayInputStream(data, 1000,
                                    data.length - 1000));
                    assertThat(library.send(DATA, trickle)).isEqualTo(data.length);
                    InputStream failing = new SequenceInputStream(new ByteArrayInputStream(new byte[] {9}),
                            new InputStream() {
                                @Override
                                public int read() throws IOException {
                                    throw new IOException(message);
                                }

                                @Override
                                public int read(byte[] b, int off, int len) throws IOException {
                                    throw new IOException(message);
                                }
                            });
                    assertThatThrownBy(() -> library.send(DATA, failing)).isInstanceOf(StreamSourceException.class);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Received first = peer.readStream(DATA);
            assertThat(first.data()).isEqualTo(data);
            assertThat(first.sourceError()).isNull();
            // zrepl's writer fills each chunk: all frames but the last are 512 KiB
            assertThat(first.dataFrameSizes()).containsExactly(
                    MAX_STREAM_PAYLOAD, MAX_STREAM_PAYLOAD, MAX_STREAM_PAYLOAD, 12_345);
            Received second = peer.readStream(DATA);
            assertThat(second.data()).containsExactly(9);
            assertThat(second.sourceError()).isEqualTo(message);
            sender.get(20, TimeUnit.SECONDS);

            CompletableFuture<ShutdownResult> down = CompletableFuture.supplyAsync(library::shutdown);
            peer.answerShutdown();
            assertThat(down.get(20, TimeUnit.SECONDS).clean()).isTrue();
        }
    }

    @Test
    void streamsWrittenByASpecOnlyPeerAreReadByTheLibrary() throws Exception {
        byte[] data = randomBytes(2 * MAX_STREAM_PAYLOAD + 777, 12);
        String message = "zfs: dataset does not exist: pool/ß";
        byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
        int split = message.indexOf('ß') + 1; // in the middle of the two bytes of ß
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        net.frameConfig());
                Socket socket = new Socket()) {
            socket.connect(server.localAddress());
            StreamConn library = StreamConn.over(net.wrap(server.accept(), net.heartbeatConfig()));
            HeartbeatConn hb = library.heartbeatConn();
            MinimalPeer peer = new MinimalPeer(socket);

            // stream 1: frames of odd sizes, heartbeats and an empty frame in between, then END
            Random sizes = new Random(5);
            int at = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, 1 + sizes.nextInt(MAX_STREAM_PAYLOAD));
                peer.writeFrame(DATA, data, at, n);
                at += n;
                peer.writeFrame(HEARTBEAT, new byte[0], 0, 0);
                peer.writeFrame(DATA, new byte[0], 0, 0);
            }
            peer.writeFrame(END, new byte[0], 0, 0);
            // stream 2: a little data, then the error split across two trailer frames, then END
            peer.writeFrame(DATA, new byte[] {1, 2}, 0, 2);
            peer.writeFrame(ERROR_TRAILER, utf8, 0, split);
            peer.writeFrame(HEARTBEAT, new byte[0], 0, 0);
            peer.writeFrame(ERROR_TRAILER, utf8, split, utf8.length - split);
            peer.writeFrame(END, new byte[0], 0, 0);
            peer.out.flush();

            try (StreamInput in = library.receive(DATA)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            ByteArrayOutputStream partial = new ByteArrayOutputStream();
            try (StreamInput in = library.receive(DATA)) {
                assertThatThrownBy(() -> in.transferTo(partial))
                        .isInstanceOfSatisfying(StreamSourceException.class,
                                e -> assertThat(e.sourceMessage()).isEqualTo(message));
            }
            assertThat(partial.toByteArray()).containsExactly(1, 2);
            assertThat(hb.heartbeatsReceived()).isGreaterThanOrEqualTo(4);

            // the peer shuts down first: the library's next receive sees it, and answers
            CompletableFuture<Void> peerDown = CompletableFuture.runAsync(() -> {
                try {
                    peer.initiateShutdown();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (StreamInput in = library.receive(DATA)) {
                assertThatThrownBy(in::read).isInstanceOfSatisfying(StreamBrokenException.class,
                        e -> assertThat(e.getCause()).isInstanceOfSatisfying(ConnectionShutdownException.class,
                                s -> assertThat(s.byPeer()).isTrue()));
            }
            assertThat(library.shutdown().clean()).isTrue();
            peerDown.get(20, TimeUnit.SECONDS);
        }
    }
}
