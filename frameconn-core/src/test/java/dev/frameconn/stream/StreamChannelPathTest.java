package dev.frameconn.stream;

import static dev.frameconn.stream.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.heartbeat.Await;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.heartbeat.Loopback;
import dev.frameconn.heartbeat.ManualTicker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The channel paths of the stream layer (direct chunks on the way out,
 * payloads straight to a sink on the way in) and their observers, over real
 * loopback TCP with heartbeats underneath. The leak check after each test
 * covers the pooled payloads the sink path writes from.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamChannelPathTest {
    private static final int DATA = 5;
    private Loopback net = new Loopback();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private StreamConn[] streamPair() throws IOException {
        return net.streamPair(net.heartbeatConfig());
    }

    /** A blocking channel over {@link StreamConnTest.RandomSource}: short reads of random size. */
    private static ReadableByteChannel randomChannel(long size, long seed) {
        InputStream in = new StreamConnTest.RandomSource(size, seed);
        return new ReadableByteChannel() {
            private final byte[] scratch = new byte[1 << 20];

            @Override
            public int read(ByteBuffer dst) throws IOException {
                int n = in.read(scratch, 0, Math.min(scratch.length, dst.remaining()));
                if (n > 0) {
                    dst.put(scratch, 0, n);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
    }

    private static long crcOf(long size, long seed) throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream in = new StreamConnTest.RandomSource(size, seed)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                crc.update(buf, 0, n);
            }
        }
        return crc.getValue();
    }

    /** A blocking sink that takes a random part of each write (at least one byte) into a CRC. */
    private static final class ShortWriteSink implements WritableByteChannel {
        final CRC32C crc = new CRC32C();
        long bytes;
        private final SplittableRandom random;

        ShortWriteSink(long seed) {
            this.random = new SplittableRandom(seed);
        }

        @Override
        public int write(ByteBuffer src) {
            int n = 1 + random.nextInt(src.remaining());
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + n);
            crc.update(part);
            src.position(src.position() + n);
            bytes += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    @Test
    void channelStreamsArriveIntactAndBothObserversSeeEveryByteInOrder() throws Exception {
        long seed = System.nanoTime();
        System.out.println("StreamChannelPathTest seed=" + seed);
        StreamConn[] s = streamPair();
        // two streams on one connection: the second reuses the first one's chunks
        for (long size : new long[] {3L * StreamConn.MAX_CHUNK + 12_345, 2L * StreamConn.MAX_CHUNK}) {
            long expected = crcOf(size, seed);
            CRC32C sentSeen = new CRC32C();
            Thread caller = Thread.currentThread();
            Thread[] observerThread = new Thread[1];
            CompletableFuture<Long> sent = async(() -> s[0].send(DATA, randomChannel(size, seed), chunk -> {
                observerThread[0] = Thread.currentThread();
                sentSeen.update(chunk); // consumes the chunk: the layer must still send all of it
            }));
            ShortWriteSink sink = new ShortWriteSink(seed);
            CRC32C receivedSeen = new CRC32C();
            long[] observed = new long[1];
            long received = s[1].receive(DATA, sink, chunk -> {
                observed[0] += chunk.remaining();
                receivedSeen.update(chunk);
            });
            assertThat(sent.get(20, TimeUnit.SECONDS)).isEqualTo(size);
            assertThat(received).isEqualTo(size);
            assertThat(sink.bytes).isEqualTo(size);
            assertThat(sink.crc.getValue()).as("written").isEqualTo(expected);
            assertThat(sentSeen.getValue()).as("seen by the sender's observer").isEqualTo(expected);
            assertThat(observed[0]).isEqualTo(size);
            assertThat(receivedSeen.getValue()).as("seen by the receiver's observer").isEqualTo(expected);
            assertThat(observerThread[0]).isNotNull().isNotSameAs(caller);
        }
    }

    @Test
    void everyDataFrameButTheLastIsFullWhateverTheReadSizes() throws Exception {
        StreamConn[] s = streamPair();
        long size = 3L * StreamConn.MAX_CHUNK + 7;
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, randomChannel(size, 11)));
        List<Integer> lengths = new ArrayList<>();
        while (true) {
            try (Frame f = s[1].heartbeatConn().readFrame()) {
                if (f.type() == StreamConn.END) {
                    break;
                }
                assertThat(f.type()).isEqualTo(DATA);
                lengths.add(f.length());
            }
        }
        assertThat(sent.get(20, TimeUnit.SECONDS)).isEqualTo(size);
        assertThat(lengths).containsExactly(StreamConn.MAX_CHUNK, StreamConn.MAX_CHUNK, StreamConn.MAX_CHUNK, 7);
    }

    @Test
    void aFailingSenderObserverFailsTheSourceAndItsChunkIsNotSent() throws Exception {
        StreamConn[] s = streamPair();
        int[] calls = new int[1];
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA,
                new ByteArrayInputStream(new byte[3 * StreamConn.MAX_CHUNK]), chunk -> {
                    if (++calls[0] == 2) {
                        throw new IllegalStateException("digest broke");
                    }
                }));
        ShortWriteSink sink = new ShortWriteSink(1);
        assertThatThrownBy(() -> s[1].receive(DATA, sink))
                .isInstanceOfSatisfying(StreamSourceException.class,
                        e -> assertThat(e.sourceMessage()).isEqualTo("digest broke"));
        assertThat(sink.bytes).isEqualTo(StreamConn.MAX_CHUNK); // the first chunk only
        assertThatThrownBy(() -> sent.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOf(StreamSourceException.class);
        // a failed source leaves the connection usable both ways
        CompletableFuture<Long> again = async(() -> s[0].send(DATA, new ByteArrayInputStream(new byte[] {1, 2})));
        assertThat(s[1].receive(DATA, new ShortWriteSink(2))).isEqualTo(2);
        assertThat(again.get(20, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void aFailingSinkIsThrownAsItIsAndAbandonsTheStream() throws Exception {
        StreamConn[] s = streamPair();
        // fits in the socket buffers and the receive queue: the send ends whatever the receiver does
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, randomChannel(2L * StreamConn.MAX_CHUNK, 5)));
        IOException full = new IOException("No space left on device");
        WritableByteChannel failing = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                throw full;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
        assertThatThrownBy(() -> s[1].receive(DATA, failing)).isSameAs(full);
        assertThatThrownBy(() -> s[1].receive(DATA)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("receiveState=BROKEN");
        assertThat(sent.get(20, TimeUnit.SECONDS)).isEqualTo(2L * StreamConn.MAX_CHUNK);
    }

    @Test
    void aBlockedSinkDoesNotStopTheHeartbeatsAndTheStreamGoesOnAfterIt() throws Exception {
        ManualTicker clock = new ManualTicker();
        net.close();
        net = new Loopback(clock);
        StreamConn[] s = streamPair();
        long size = 3L * StreamConn.MAX_CHUNK;
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, randomChannel(size, 3)));
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ShortWriteSink counted = new ShortWriteSink(4);
        WritableByteChannel slowDisk = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                blocked.countDown();
                try {
                    release.await(); // like a disk that hangs for a while
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return counted.write(src);
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
        CompletableFuture<Long> received = async(() -> s[1].receive(DATA, slowDisk));
        assertThat(blocked.await(20, TimeUnit.SECONDS)).isTrue();
        HeartbeatConn[] sides = {s[0].heartbeatConn(), s[1].heartbeatConn()};
        try {
            for (int step = 1; step <= 25; step++) { // two and a half peer timeouts
                clock.advance(Duration.ofSeconds(1));
                for (HeartbeatConn side : sides) {
                    int at = step;
                    Await.until("heartbeats flow at step " + at + ": " + side,
                            () -> side.sinceLastReceived().compareTo(Duration.ofSeconds(6)) < 0);
                }
            }
            assertThat(received).isNotDone();
        } finally {
            release.countDown();
        }
        assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(size);
        assertThat(sent.get(20, TimeUnit.SECONDS)).isEqualTo(size);
        assertThat(counted.crc.getValue()).isEqualTo(crcOf(size, 3));
        assertThat(s[1].heartbeatConn().isOpen()).isTrue();
    }
}
