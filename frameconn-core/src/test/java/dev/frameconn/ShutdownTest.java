package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.metrics.InMemoryMetrics;
import dev.frameconn.metrics.ShutdownStep;
import dev.frameconn.testkit.Fixtures;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SPEC §6: the RST handshake, its bounds, and shutdown racing other calls. */
class ShutdownTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();
    private final InMemoryMetrics metrics = new InMemoryMetrics();

    /** What a well-behaved application does: read until shutdown, then shut down in turn. */
    private Future<ShutdownResult> answerShutdown(FrameConn conn, AtomicLong framesRead) {
        return f.threads.submit(() -> {
            try {
                while (true) {
                    try (Frame frame = conn.readFrame()) {
                        framesRead.incrementAndGet();
                    }
                }
            } catch (ConnectionShutdownException e) {
                return conn.shutdown();
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Fixtures.Kind.class)
    void dataInFlightBothWaysIsNotLost(Fixtures.Kind kind) throws Exception {
        Fixtures.Pair p = f.pair(kind, f.config().withMetrics(metrics), f.config().withMetrics(metrics));
        AtomicLong serverRead = new AtomicLong();
        Future<ShutdownResult> server = answerShutdown(p.server(), serverRead);
        // the server also keeps sending until its connection shuts down: the client's drain eats it
        CountDownLatch serverWriting = new CountDownLatch(1);
        Future<Long> serverWriter = f.threads.submit(() -> {
            long sent = 0;
            ByteBuffer chunk = ByteBuffer.allocateDirect(32 << 10);
            try {
                while (true) {
                    p.server().writeFrame(5, chunk);
                    sent++;
                    serverWriting.countDown();
                }
            } catch (ConnectionShutdownException expected) {
                return sent;
            }
        });
        serverWriting.await(30, TimeUnit.SECONDS);
        int frames = 3000;
        for (int i = 0; i < frames; i++) {
            p.client().writeFrame(1, Fixtures.pattern(i % 50_000, i));
        }
        ShutdownResult client = p.client().shutdown(Duration.ofSeconds(20)); // right after the last write
        assertThat(client.clean()).as(client.toString()).isTrue();
        ShutdownResult serverResult = Fixtures.get(server);
        assertThat(serverResult.clean()).as(serverResult.toString()).isTrue();
        assertThat(serverRead.get()).as("every frame sent before RST was read").isEqualTo(frames);
        assertThat(Fixtures.get(serverWriter)).isPositive();
        assertThat(client.drainedBytes()).as("the server's frames were drained").isPositive();
        assertThat(client.peerAnswered()).as("the server's RST was seen behind its frames").isTrue();
        assertThat(serverResult.peerAnswered()).isTrue();
        assertThat(metrics.shutdowns()).isEqualTo(2);
        assertThat(metrics.drains()).isEqualTo(2);
        assertThat(metrics.drainBytes()).isEqualTo(client.drainedBytes() + serverResult.drainedBytes());
        assertThat(metrics.hardCloses()).isZero();
        assertThat(metrics.closeErrors()).isZero();
        // the server read every client frame; the client may have read some of the server's before shutting down
        assertThat(metrics.framesRead()).isGreaterThanOrEqualTo(frames);
        assertThat(metrics.bytesWritten()).isPositive();
    }

    @Test
    void shutdownWhileAnotherThreadIsBlockedInReadFrame() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        Future<ShutdownResult> client = answerShutdown(p.client(), new AtomicLong());
        Future<Frame> blockedRead = f.submitAndAwaitBlocked(p.server()::readFrame);
        long start = System.nanoTime();
        ShutdownResult server = p.server().shutdown(Duration.ofSeconds(10));
        assertThat(server.clean()).as(server.toString()).isTrue();
        assertThat(System.nanoTime() - start).as("no wait for the deadline").isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThatThrownBy(() -> Fixtures.get(blockedRead)).isInstanceOfSatisfying(
                ConnectionShutdownException.class,
                e -> assertThat(e.initiator()).isEqualTo(ConnectionShutdownException.Initiator.LOCAL));
        assertThat(Fixtures.get(client).clean()).isTrue();
    }

    @Test
    void shutdownWhileAnotherThreadIsBlockedInWriteFrameEndsByTheDeadline() throws Exception {
        FrameConnConfig config = f.config().withMetrics(metrics);
        Fixtures.RawPeer peer = f.track(f.rawPeer(config)); // the raw peer never reads
        Future<?> writer = f.submitAndAwaitBlocked(() -> {
            ByteBuffer big = ByteBuffer.allocateDirect(1 << 20);
            while (true) {
                peer.conn().writeFrame(1, big);
            }
        });
        long start = System.nanoTime();
        ShutdownResult result = peer.conn().shutdown(Duration.ofMillis(500));
        long elapsed = System.nanoTime() - start;
        assertThat(elapsed).isBetween(TimeUnit.MILLISECONDS.toNanos(400), TimeUnit.SECONDS.toNanos(10));
        assertThat(result.clean()).isFalse();
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.WRITE_FRAME);
        // the writer was cut off by the deadline, or (if the kernel took its last frame after all)
        // its next call found the connection shutting down: either way it did not outlive the deadline
        assertThatThrownBy(() -> Fixtures.get(writer)).satisfiesAnyOf(
                e -> assertThat(e).isInstanceOfSatisfying(FrameTimeoutException.class,
                        t -> assertThat(t.kind()).isEqualTo(FrameTimeoutException.Kind.DEADLINE)),
                e -> assertThat(e).isInstanceOf(ConnectionShutdownException.class));
        assertThat(metrics.hardCloses(ShutdownStep.WRITE_FRAME)).isEqualTo(1);
        assertThat(peer.conn().isOpen()).isFalse();
    }

    @Test
    void peerThatNeverAnswersIsBoundedByTheDeadline() throws Exception {
        FrameConnConfig config = f.config().withMetrics(metrics);
        Fixtures.RawPeer peer = f.track(f.rawPeer(config));
        long start = System.nanoTime();
        ShutdownResult result = peer.conn().shutdown(Duration.ofMillis(300));
        assertThat(System.nanoTime() - start).isBetween(TimeUnit.MILLISECONDS.toNanos(250),
                TimeUnit.SECONDS.toNanos(10));
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.DRAIN);
        assertThat(result.error()).isInstanceOf(FrameTimeoutException.class);
        assertThat(metrics.hardCloses(ShutdownStep.DRAIN)).isEqualTo(1);
        assertThat(peer.receive(8)).as("the RST went out first").containsExactly(0x10, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void peerThatKeepsSendingIsBoundedByTheDrainLimit() throws Exception {
        FrameConnConfig config = f.config().withMetrics(metrics).withDrainLimit(1 << 20);
        Fixtures.RawPeer peer = f.track(f.rawPeer(config));
        Future<?> flood = f.threads.submit(() -> {
            ByteBuffer junk = ByteBuffer.allocate(64 << 10);
            while (true) {
                peer.raw().write(junk.clear());
            }
        });
        ShutdownResult result = peer.conn().shutdown(Duration.ofSeconds(30));
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.DRAIN);
        assertThat(result.drainedBytes()).isGreaterThan(1 << 20).isLessThan((1 << 20) + (1 << 20));
        assertThat(result.error()).hasMessageContaining("drainLimit=1048576");
        assertThat(result.duration()).isLessThan(Duration.ofSeconds(20));
        assertThatThrownBy(() -> Fixtures.get(flood)).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void shutdownTwiceAndFromTwoThreadsIsSafe() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.UNIX);
        Future<ShutdownResult> server = answerShutdown(p.server(), new AtomicLong());
        Future<ShutdownResult> second = f.threads.submit(() -> p.client().shutdown());
        ShutdownResult first = p.client().shutdown();
        assertThat(Fixtures.get(second)).isSameAs(first);
        assertThat(p.client().shutdown()).isSameAs(first);
        assertThat(first.clean()).isTrue();
        assertThat(Fixtures.get(server).clean()).isTrue();
        p.client().close();
        p.client().close();
        assertThatThrownBy(p.client()::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class,
                e -> assertThat(e.initiator()).isEqualTo(ConnectionShutdownException.Initiator.LOCAL));
        assertThatThrownBy(() -> p.client().writeFrame(1, new byte[0]))
                .isInstanceOf(ConnectionShutdownException.class);
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        Future<Frame> blocked = f.submitAndAwaitBlocked(p.server()::readFrame);
        p.server().close();
        assertThatThrownBy(() -> Fixtures.get(blocked)).isInstanceOf(ConnectionShutdownException.class);
        assertThat(p.server().isOpen()).isFalse();
        assertThatThrownBy(p.client()::readFrame).isInstanceOf(EndOfStreamException.class);
    }

    @Test
    void negativeTimeoutIsACallerBug() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        assertThatThrownBy(() -> p.client().shutdown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=PT-1S");
    }
}
