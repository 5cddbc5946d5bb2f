package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.testkit.Fixtures;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The batch API, flush(), and frames staged while another write is under way. */
class BatchAndFlushTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @ParameterizedTest
    @EnumSource(Fixtures.Kind.class)
    void batchOfMixedSizesArrivesInOrderAndIntact(Fixtures.Kind kind) throws Exception {
        Fixtures.Pair p = f.pair(kind);
        int[] sizes = {0, 1, 64, 8192, 8193, 65_536, 3, 2 << 20, 0, 500_000, 70_000, 12, (1 << 20) + 1, 5};
        List<ByteBuffer> payloads = new ArrayList<>();
        FrameBatch batch = new FrameBatch(2); // grows
        for (int i = 0; i < 300; i++) {
            int size = sizes[i % sizes.length];
            ByteBuffer payload = ByteBuffer.wrap(Fixtures.pattern(size, i));
            if (i % 2 == 0) {
                payload = ByteBuffer.allocateDirect(size).put(payload).flip();
            }
            payloads.add(payload);
            batch.add(i % 7, payload);
        }
        Future<Integer> reader = f.threads.submit(() -> {
            for (int i = 0; i < 300; i++) {
                try (Frame frame = p.server().readFrame()) {
                    assertThat(frame.type()).isEqualTo(i % 7);
                    assertThat(frame.toByteArray()).as("frame %d", i).isEqualTo(
                            Fixtures.pattern(sizes[i % sizes.length], i));
                }
            }
            return 300;
        });
        p.client().writeBatch(batch);
        assertThat(batch.isEmpty()).as("cleared after writing").isTrue();
        for (ByteBuffer payload : payloads) {
            assertThat(payload.position()).as("payload positions untouched").isZero();
        }
        assertThat(Fixtures.get(reader)).isEqualTo(300);
    }

    @Test
    void oneBufferAddedManyTimesSurvivesPartialWrites() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        byte[] bytes = Fixtures.pattern(300_000, 42);
        ByteBuffer shared = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        FrameBatch batch = new FrameBatch();
        for (int i = 0; i < 40; i++) {
            batch.add(1, shared); // the same object again and again, as senders of one block do
        }
        Future<Integer> reader = f.threads.submit(() -> {
            for (int i = 0; i < 40; i++) {
                try (Frame frame = p.server().readFrame()) {
                    assertThat(frame.toByteArray()).as("frame %d", i).isEqualTo(bytes);
                }
            }
            return 40;
        });
        p.client().writeBatch(batch); // 12 MB: far more than the socket buffers, so writes are partial
        assertThat(shared.position()).isZero();
        assertThat(Fixtures.get(reader)).isEqualTo(40);
    }

    @Test
    void batchesFromSeveralThreadsStayContiguous() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        int threads = 4;
        int batches = 50;
        int perBatch = 20;
        Future<Void> reader = f.threads.submit(() -> {
            int writer = -1; // inside a batch of this writer, or -1
            int expected = 0;
            for (int n = 0; n < threads * batches * (perBatch + 1); n++) {
                try (Frame frame = p.server().readFrame()) {
                    if (frame.type() >= 100) {
                        assertThat(writer).as("a single frame inside a batch").isEqualTo(-1);
                        continue;
                    }
                    int index = frame.payload().getInt(0);
                    if (writer == -1) {
                        writer = frame.type();
                    }
                    assertThat(frame.type()).as("no other writer inside a batch").isEqualTo(writer);
                    assertThat(index).isEqualTo(expected);
                    if (++expected == perBatch) {
                        writer = -1;
                        expected = 0;
                    }
                }
            }
            return null;
        });
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int type = t;
            writers.add(f.threads.submit(() -> {
                FrameBatch batch = new FrameBatch();
                for (int b = 0; b < batches; b++) {
                    for (int i = 0; i < perBatch; i++) {
                        ByteBuffer payload = ByteBuffer.allocate(4 + (i % 3) * 10_000).putInt(0, i);
                        batch.add(type, payload);
                    }
                    p.client().writeBatch(batch);
                    p.client().writeFrame(type + 100, new byte[0]); // single frames come between batches
                }
                return null;
            }));
        }
        for (Future<?> w : writers) {
            Fixtures.get(w);
        }
        Fixtures.get(reader);
    }

    @Test
    void flushWaitsForStagedFramesAndBackToBackFramesAllArrive() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        int frames = 200_000;
        Future<Long> reader = f.threads.submit(() -> {
            long sum = 0;
            for (int i = 0; i < frames; i++) {
                try (Frame frame = p.server().readFrame()) {
                    assertThat(frame.payload().getInt(0)).isEqualTo(i);
                    sum += frame.length();
                }
            }
            return sum;
        });
        ByteBuffer payload = ByteBuffer.allocateDirect(64);
        for (int i = 0; i < frames; i++) {
            payload.putInt(0, i);
            p.client().writeFrame(1, payload); // back to back: most are staged
        }
        p.client().flush();
        assertThat(Fixtures.get(reader)).isEqualTo(64L * frames);
    }

    @Test
    void stagedFrameFailureSurfacesOnTheNextCall() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withIdleTimeout(java.time.Duration.ofMillis(300))));
        // the raw peer never reads: writes block, later ones are staged, the idle timeout breaks them
        assertThatThrownBy(() -> {
            ByteBuffer payload = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < 1_000_000; i++) {
                peer.conn().writeFrame(1, payload);
            }
            peer.conn().flush();
        }).isInstanceOfAny(FrameTimeoutException.class, ConnectionBrokenException.class);
        assertThatThrownBy(peer.conn()::flush).satisfiesAnyOf(
                e -> assertThat(e).isInstanceOf(ConnectionBrokenException.class),
                e -> assertThat(e).isInstanceOf(FrameTimeoutException.class));
        assertThatThrownBy(() -> peer.conn().writeFrame(1, new byte[1])).isInstanceOf(ConnectionBrokenException.class)
                .hasCauseInstanceOf(FrameTimeoutException.class);
    }

    @Test
    void emptyBatchWritesNothingAndReservedTypesAreRejectedOnAdd() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.conn().writeBatch(new FrameBatch());
        assertThatThrownBy(() -> new FrameBatch().add(0x1000_0000, ByteBuffer.allocate(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type=0x10000000");
        assertThatThrownBy(() -> new FrameBatch(0)).hasMessageContaining("capacity=0");
        peer.conn().writeFrame(2, new byte[] {1});
        assertThat(peer.receive(9)).containsExactly(0, 0, 0, 2, 0, 0, 0, 1, 1);
    }
}
