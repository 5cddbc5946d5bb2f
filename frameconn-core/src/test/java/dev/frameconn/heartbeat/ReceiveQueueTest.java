package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The receive side's queue over a real loopback pair, the peer a raw
 * {@link FrameConn}: a full queue stops the background reader (so heartbeats
 * behind the frames wait too) until the application takes a frame; frames
 * queued before the reader's failure come first; a reader waiting for room, or
 * an application waiting for a frame, is woken when the connection ends; what
 * is queued at close goes back to the pool. Where the reader is, is read from
 * its stack, so that no test waits for something not to happen.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReceiveQueueTest {
    private final ManualTicker clock = new ManualTicker();
    private final Loopback net = new Loopback(clock);

    @AfterEach
    void noLeaks() throws Exception {
        net.close(); // no thread left, no buffer unreleased
    }

    /** The heartbeat connection's background reader: the first thread its factory made. */
    private Thread reader() {
        return net.threads.threads().get(0);
    }

    /** True while {@code t} waits for room in the receive queue. */
    private static boolean waitingForRoom(Thread t) {
        if (t.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(ReceiveSide.class.getName()) && e.getMethodName().equals("enqueue")) {
                return true;
            }
        }
        return false;
    }

    private static CompletableFuture<Frame> readAsync(HeartbeatConn conn, String name) {
        CompletableFuture<Frame> f = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().name(name).start(() -> {
            try {
                f.complete(conn.readFrame());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        Await.waitingIn(t, "readFrame");
        return f;
    }

    @Test
    void aFullQueueStopsTheReaderUntilTheApplicationTakesAFrame() throws Exception {
        FrameConn[] pair = net.framePair();
        AtomicInteger counted = new AtomicInteger();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withReceiveQueueFrames(1)
                .withMetrics(new HeartbeatMetrics() {
                    @Override
                    public void heartbeatReceived() {
                        counted.incrementAndGet();
                    }
                }));
        FrameConn raw = pair[1];
        raw.writeFrame(1, new byte[] {1});
        raw.writeFrame(2, new byte[] {2});
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        // the queue holds frame 1; the reader has frame 2 in hand and waits for room, the heartbeat behind it
        Await.until("the reader waits for room, or read the heartbeat",
                () -> waitingForRoom(reader()) || a.heartbeatsReceived() > 0);
        assertThat(a.heartbeatsReceived()).as("a queue of one frame held two").isZero();
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(1);
            assertThat(f.toByteArray()).containsExactly(1);
        }
        // taking frame 1 made room: frame 2 is queued and the heartbeat read
        Await.until("the heartbeat behind the full queue was read", () -> a.heartbeatsReceived() == 1);
        assertThat(counted).hasValue(1);
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(2);
            assertThat(f.toByteArray()).containsExactly(2);
        }
    }

    @Test
    void closeWakesAReaderWaitingForRoomAndReleasesTheQueuedFrames() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withReceiveQueueFrames(1));
        FrameConn raw = pair[1];
        for (int i = 1; i <= 3; i++) {
            raw.writeFrame(i, new byte[] {(byte) i});
        }
        Await.until("the reader waits for room", () -> waitingForRoom(reader()));
        assertThat(net.pool.outstanding()).as("frame 1 queued, frame 2 in the reader's hand").isGreaterThanOrEqualTo(2);
        a.close();
        // close waits up to 10 s per thread: a reader left waiting for room would still be alive
        assertThat(a.threadsEnded()).isTrue();
        assertThat(reader().isAlive()).isFalse();
        assertThat(net.pool.outstanding()).as("queued frames released").isZero();
    }

    @Test
    void queuedFramesComeBeforeTheReadersFailureWhichThenRepeats() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        FrameConn raw = pair[1];
        raw.writeEmptyFrame(1); // skipped by readFrameSkippingEmpty(1)
        raw.writeFrame(1, new byte[] {7});
        raw.writeEmptyFrame(1);
        raw.writeEmptyFrame(2); // empty, but not of the skipped type
        raw.writeEmptyFrame(1);
        raw.close();
        Thread reader = reader();
        Await.until("the background reader ended at the peer's close", () -> !reader.isAlive());
        try (Frame f = a.readFrameSkippingEmpty(1)) {
            assertThat(f.type()).isEqualTo(1);
            assertThat(f.toByteArray()).containsExactly(7);
        }
        try (Frame f = a.readFrameSkippingEmpty(1)) {
            assertThat(f.type()).isEqualTo(2);
            assertThat(f.length()).isZero();
        }
        // only skipped frames left: then the failure, and the same one again
        Throwable first = null;
        try {
            a.readFrameSkippingEmpty(1).close();
        } catch (IOException e) {
            first = e;
        }
        assertThat(first).isInstanceOf(FrameConnException.class);
        Throwable firstFailure = first;
        assertThatThrownBy(a::readFrame).isSameAs(firstFailure);
        assertThat(net.pool.outstanding()).as("skipped frames released").isZero();
    }

    @Test
    void anApplicationWaitingForAFrameIsWokenWhenThePeerGoesAway() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        CompletableFuture<Frame> pending = readAsync(a, "test-reader");
        pair[1].close();
        assertThatThrownBy(() -> pending.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(FrameConnException.class);
    }

    @Test
    void everyFrameThatArrivesProvesThePeerAliveAndHeartbeatsAreCounted() throws Exception {
        FrameConn[] pair = net.framePair();
        AtomicInteger counted = new AtomicInteger();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withMetrics(new HeartbeatMetrics() {
            @Override
            public void heartbeatReceived() {
                counted.incrementAndGet();
            }
        }));
        FrameConn raw = pair[1];
        assertThat(a.sinceLastReceived()).isZero();
        clock.advance(Duration.ofSeconds(3));
        assertThat(a.sinceLastReceived()).isEqualTo(Duration.ofSeconds(3));
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        Await.until("the heartbeat was read", () -> a.heartbeatsReceived() == 1);
        assertThat(a.sinceLastReceived()).isZero();
        assertThat(counted).hasValue(1);
        clock.advance(Duration.ofSeconds(4));
        raw.writeFrame(5, new byte[] {5});
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(5);
        }
        assertThat(a.sinceLastReceived()).as("an application frame counts as life too").isZero();
        assertThat(a.heartbeatsReceived()).isEqualTo(1);
        assertThat(counted).hasValue(1);
    }

    @Test
    void aFailingMetricsCallEndsTheReaderWithAClearFailure() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withMetrics(new HeartbeatMetrics() {
            @Override
            public void heartbeatReceived() {
                throw new IllegalStateException("metrics broke");
            }
        }));
        pair[1].writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        assertThatThrownBy(a::readFrame).isInstanceOf(IOException.class)
                .hasMessageContaining("heartbeat reader failed unexpectedly")
                .hasRootCauseMessage("metrics broke");
    }

    @Test
    void aReservedTypeWithAPayloadIsAProtocolErrorAndItsBufferGoesBack() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        pair[1].writeFrame(0x0400_0000, new byte[100]);
        assertThatThrownBy(a::readFrame).isInstanceOf(HeartbeatProtocolException.class)
                .hasMessageContaining("type=0x04000000");
        Thread reader = reader();
        Await.until("the background reader ended", () -> !reader.isAlive());
        assertThat(net.pool.outstanding()).as("the offending frame was released").isZero();
    }

    @Test
    void anInterruptedWaitFailsAndKeepsTheInterrupt() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().name("test-reader").start(() -> {
            try {
                a.readFrame().close();
                interruptedAfter.completeExceptionally(new AssertionError("got a frame"));
            } catch (java.io.InterruptedIOException e) {
                interruptedAfter.complete(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                interruptedAfter.completeExceptionally(e);
            }
        });
        Await.waitingIn(t, "readFrame");
        t.interrupt();
        assertThat(interruptedAfter.get(20, TimeUnit.SECONDS)).as("the interrupt is kept").isTrue();
        pair[1].writeFrame(1, new byte[] {1}); // the connection is still usable
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(1);
        }
    }
}
