package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.testkit.Fixtures;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SPEC §2 and §3: concurrent writers never interleave, concurrent readers get whole frames. */
@Timeout(60)
class ConcurrencyTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    /** Payload: writer id, sequence number, then a pattern derived from both. */
    private static byte[] payload(int writer, int seq) {
        int len = 8 + (seq * 7919 + writer * 131) % 40_000; // crosses the copy and direct-read thresholds
        byte[] body = Fixtures.pattern(len, writer * 1_000_003 + seq);
        ByteBuffer.wrap(body).putInt(0, writer).putInt(4, seq);
        return body;
    }

    @Test
    void eightWritersNeverInterleave() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        int writers = 8;
        int perWriter = 400;
        Future<int[]> reader = f.threads.submit(() -> {
            int[] next = new int[writers];
            for (int i = 0; i < writers * perWriter; i++) {
                try (Frame frame = p.server().readFrame()) {
                    ByteBuffer b = frame.payload();
                    int writer = b.getInt(0);
                    int seq = b.getInt(4);
                    assertThat(frame.type()).isEqualTo(writer);
                    assertThat(seq).as("frames of writer %d in order", writer).isEqualTo(next[writer]);
                    assertThat(frame.toByteArray()).isEqualTo(payload(writer, seq));
                    next[writer]++;
                }
            }
            return next;
        });
        List<Future<?>> sending = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            sending.add(f.threads.submit(() -> {
                for (int seq = 0; seq < perWriter; seq++) {
                    p.client().writeFrame(writer, payload(writer, seq));
                }
                return null;
            }));
        }
        for (Future<?> s : sending) {
            Fixtures.get(s);
        }
        assertThat(Fixtures.get(reader)).containsOnly(perWriter);
    }

    @Test
    void concurrentReadersEachGetWholeFrames() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.UNIX);
        int frames = 4000;
        Set seen = new Set();
        AtomicInteger count = new AtomicInteger();
        List<Future<?>> readers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            readers.add(f.threads.submit(() -> {
                while (true) {
                    try (Frame frame = p.server().readFrame()) {
                        int seq = frame.payload().getInt(4);
                        assertThat(frame.toByteArray()).isEqualTo(payload(0, seq));
                        assertThat(seen.add(seq)).as("frame %d delivered once", seq).isTrue();
                        count.incrementAndGet();
                    } catch (EndOfStreamException end) {
                        return null;
                    }
                }
            }));
        }
        for (int seq = 0; seq < frames; seq++) {
            p.client().writeFrame(0, payload(0, seq));
        }
        // half-close without RST: every reader sees the clean end of stream
        p.client().close();
        for (Future<?> r : readers) {
            Fixtures.get(r);
        }
        assertThat(count.get()).isEqualTo(frames);
    }

    @Test
    void aReaderInterruptedWhileWaitingForAnotherReaderFailsAndKeepsTheInterrupt() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withReadSpin(java.time.Duration.ZERO)));
        FrameConn conn = peer.conn();
        Future<Frame> inside = f.submitAndAwaitBlocked(conn::readFrame); // the peer is silent: it waits holding the read lock
        java.util.concurrent.CompletableFuture<Thread> second = new java.util.concurrent.CompletableFuture<>();
        Future<String> queued = f.submitAndAwaitBlocked(() -> {
            second.complete(Thread.currentThread());
            try (Frame frame = conn.readFrame()) {
                return "read type=" + frame.type();
            } catch (java.io.InterruptedIOException e) {
                return "interrupted=" + Thread.currentThread().isInterrupted() + ": " + e.getMessage();
            }
        });
        Fixtures.get(second).interrupt();
        assertThat(Fixtures.get(queued))
                .isEqualTo("interrupted=true: interrupted while waiting for the connection's lock");
        // the first reader was not disturbed
        peer.send(TestFrames.frame(4, new byte[] {1}));
        try (Frame frame = Fixtures.get(inside)) {
            assertThat(frame.type()).isEqualTo(4);
        }
    }

    private static final class Set {
        private final java.util.Set<Integer> set = ConcurrentHashMap.newKeySet();

        boolean add(int seq) {
            return set.add(seq);
        }
    }
}
