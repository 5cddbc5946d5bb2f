package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.ShutdownResult;
import dev.frameconn.internal.TimerQueue;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a {@link HeartbeatConn} leaves behind, over a real loopback pair on a
 * manual clock (so the clock's timer queue is this test's alone): while open
 * its threads run; after close or shutdown every thread has ended, the pacing
 * timer is out of the clock's queue, queued frames are back in the pool, and
 * a caller's interrupt is kept. Also its counters and its text.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HeartbeatLifecycleTest {
    private final ManualTicker clock = new ManualTicker();
    private final Loopback net = new Loopback(clock);

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private static <T> CompletableFuture<T> async(java.util.concurrent.Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().name("test-async").start(() -> {
            try {
                f.complete(body.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Test
    void closeEndsEveryThreadTakesThePacerOutOfTheQueueAndKeepsTheCallersInterrupt() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        assertThat(a.threadsEnded()).as("the reader runs while the connection is open").isFalse();
        assertThat(a.isOpen()).isTrue();
        Thread.currentThread().interrupt(); // the reader is still running: close's join meets the interrupt
        try {
            a.close();
            assertThat(Thread.currentThread().isInterrupted()).as("close keeps the caller's interrupt").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(a.threadsEnded()).isTrue();
        assertThat(a.isOpen()).isFalse();
        pair[1].close();
        // both connections closed: no timer of this clock may be left, the pacer's included
        assertThat(TimerQueue.of(clock).size()).isZero();
    }

    @Test
    void shutdownEndsEveryThreadReleasesQueuedFramesAndStopsThePacer() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        b.writeFrame(1, new byte[] {1});
        b.writeFrame(2, new byte[] {2}); // never read by a's application: queued at shutdown
        CompletableFuture<ShutdownResult> aDown = async(a::shutdown);
        try (Frame f = b.readFrame()) {
            throw new AssertionError("a sent nothing but its RST, got type=" + f.type());
        } catch (ConnectionShutdownException expected) {
            // a's RST
        }
        assertThat(b.shutdown().clean()).isTrue();
        ShutdownResult r = aDown.get(20, TimeUnit.SECONDS);
        assertThat(r.clean()).as("%s", r).isTrue();
        // shutdown returns after its threads: nothing is still running, nothing still queued
        assertThat(a.threadsEnded()).isTrue();
        assertThat(net.threads.alive()).isEmpty();
        assertThat(net.pool.outstanding()).as("frames queued at a were released").isZero();
        assertThat(TimerQueue.of(clock).size()).as("no pacing timer left").isZero();
        int made = net.threads.threads().size();
        clock.advance(Duration.ofSeconds(30)); // heartbeats would be due: none may start now
        assertThat(a.heartbeatsSent()).isZero();
        assertThat(net.threads.threads()).hasSize(made);
        assertThatThrownBy(a::readFrame).isInstanceOf(ConnectionShutdownException.class);
    }

    @Test
    void heartbeatsSentAreCountedAndNamed() throws Exception {
        FrameConn[] pair = net.framePair();
        AtomicInteger sent = new AtomicInteger();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withMetrics(new HeartbeatMetrics() {
            @Override
            public void heartbeatSent() {
                sent.incrementAndGet();
            }
        }));
        assertThat(a.toString()).startsWith("HeartbeatConn[").contains("sent=0", "received=0");
        clock.advance(Duration.ofSeconds(5));
        try (Frame f = pair[1].readFrame()) {
            assertThat(f.type()).isEqualTo(HeartbeatConn.HEARTBEAT);
        }
        Await.until("the heartbeat was counted", () -> a.heartbeatsSent() == 1 && sent.get() == 1);
        assertThat(a.toString()).contains("sent=1");
        assertThat(a.frameConn()).isSameAs(pair[0]);
    }

    @Test
    void durationsAreWrittenAsOnACommandLine() {
        assertThat(HeartbeatConn.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(HeartbeatConn.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(HeartbeatConn.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        StreamStalledException send = new StreamStalledException(StreamStalledException.Direction.SEND,
                Duration.ofSeconds(30), null);
        assertThat(send.getMessage()).contains("took no payload byte", "stallTimeout=30s");
        assertThat(send.stallTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(send.direction()).isEqualTo(StreamStalledException.Direction.SEND);
        StreamStalledException receive = new StreamStalledException(StreamStalledException.Direction.RECEIVE,
                Duration.ofMillis(500), null);
        assertThat(receive.getMessage()).contains("no payload byte arrived", "stallTimeout=500ms");
    }
}
