package dev.frameconn.stream;

import static dev.frameconn.stream.Async.async;
import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.heartbeat.Loopback;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One big stream over real loopback TCP, with heartbeats underneath: 1 GiB in
 * reads of random size, checked by CRC at the far end. A class of its own
 * (moved out of {@link StreamConnTest}) because it takes seconds: it runs in the
 * normal build, and the mutation profile, which runs {@code StreamConnTest}'s
 * quick tests, leaves it out (docs/mutation.md).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamThroughputTest {
    private static final int DATA = 5;
    private final Loopback net = new Loopback();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private StreamConn[] streamPair() throws IOException {
        return net.streamPair(net.heartbeatConfig());
    }

    private static long crcOf(InputStream in, SplittableRandom readSizes, long[] count) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        long total = 0;
        while (true) {
            int want = 1 + readSizes.nextInt(buf.length);
            int n = in.read(buf, 0, want);
            if (n < 0) {
                break;
            }
            crc.update(buf, 0, n);
            total += n;
        }
        count[0] = total;
        return crc.getValue();
    }

    @Test
    void aGibibyteWithRandomChunkBoundariesArrivesIntact() throws Exception {
        long size = 1L << 30;
        StreamConn[] s = streamPair();
        long expectedCrc;
        long[] expectedCount = new long[1];
        try (InputStream reference = new StreamConnTest.RandomSource(size, 42)) {
            expectedCrc = crcOf(reference, new SplittableRandom(1), expectedCount);
        }
        assertThat(expectedCount[0]).isEqualTo(size);

        long start = System.nanoTime();
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, new StreamConnTest.RandomSource(size, 42)));
        long[] received = new long[1];
        long crc;
        try (StreamInput in = s[1].receive(DATA)) {
            crc = crcOf(in, new SplittableRandom(7), received);
            assertThat(in.isEnded()).isTrue();
        }
        long nanos = System.nanoTime() - start;
        assertThat(sent.get(60, TimeUnit.SECONDS)).isEqualTo(size);
        assertThat(received[0]).isEqualTo(size);
        assertThat(crc).isEqualTo(expectedCrc);
        System.out.printf("1 GiB stream over loopback TCP: %.2f s, %.0f MB/s%n",
                nanos / 1e9, size / 1e6 / (nanos / 1e9));
        // both sides shut down, as zrepl's peers do: each answers the other's RST
        CompletableFuture<Boolean> down = async(() -> s[1].shutdown().clean());
        assertThat(s[0].shutdown().clean()).isTrue();
        assertThat(down.get(20, TimeUnit.SECONDS)).isTrue();
    }
}
