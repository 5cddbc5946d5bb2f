package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the receive side feeds the receive stall clock, seen through a real
 * loopback pair whose peer is a raw {@link FrameConn}, on a manual clock moved
 * in big steps (no stepping a second at a time): time counts only while the
 * application waits in {@code readFrame}; an empty frame ends a wait but not
 * the count; a payload frame clears it, also one that arrives while nobody
 * waits; a wait that begins with time already counted makes the pacer look
 * again in time. {@link StallClocksTest} checks the arithmetic alone.
 *
 * <p>The pacer's looks are made visible by heartbeats: the application never
 * writes, so every step of at least the send interval makes one due, and the
 * step returns once it went out (or the stall was reported). A stall reported
 * early is seen at that step or at the latest by the step after it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReceiveStallTest {
    private static final Duration STALL = Duration.ofSeconds(30);
    /** Long enough that the peer, which only sends what a test says, never times out. */
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(120);
    private final ManualTicker clock = new ManualTicker();
    private final Loopback net = new Loopback(clock);
    private final AtomicInteger stalls = new AtomicInteger();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private HeartbeatConn watched(FrameConn conn, Duration sendInterval) {
        return net.wrap(conn, net.heartbeatConfig().withTiming(sendInterval, PEER_TIMEOUT).withStallTimeout(STALL)
                .withMetrics(new HeartbeatMetrics() {
                    @Override
                    public void stalled(StreamStalledException.Direction direction) {
                        stalls.incrementAndGet();
                    }
                }));
    }

    /** Moves the clock, then waits until {@code a}'s pacer looked at the new time: a heartbeat went out, or a stall. */
    private void step(HeartbeatConn a, long seconds) {
        long sent = a.heartbeatsSent();
        clock.advance(Duration.ofSeconds(seconds));
        Await.until("the pacer looked after a step of " + seconds + " s",
                () -> a.heartbeatsSent() > sent || stalls.get() > 0);
    }

    /** A readFrame() on a thread of its own, returned once it waits. */
    private static CompletableFuture<Frame> readAsync(HeartbeatConn conn) {
        CompletableFuture<Frame> f = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().name("test-reader").start(() -> {
            try {
                f.complete(conn.readFrame());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        Await.waitingIn(t, "readFrame");
        return f;
    }

    /** The frame {@code pending} got: its type and payload length, the frame released. */
    private static int[] taken(CompletableFuture<Frame> pending) throws Exception {
        try (Frame f = pending.get(20, TimeUnit.SECONDS)) {
            return new int[] {f.type(), f.length()};
        }
    }

    @Test
    void onlyWaitsCountAndEmptyFramesDoNotClearTheCountButPayloadDoes() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = watched(pair[0], Duration.ofSeconds(1));
        FrameConn raw = pair[1];

        CompletableFuture<Frame> r = readAsync(a);
        step(a, 20);
        raw.writeEmptyFrame(2);
        assertThat(taken(r)).containsExactly(2, 0); // ends the wait, not the count: 20 s
        r = readAsync(a);
        step(a, 9); // 29 s over two waits
        assertThat(stalls).hasValue(0);
        raw.writeFrame(1, new byte[] {1});
        assertThat(taken(r)).containsExactly(1, 1); // payload: the count is 0

        step(a, 29); // nobody waits: not counted
        assertThat(stalls).hasValue(0);
        r = readAsync(a);
        step(a, 29);
        assertThat(stalls).hasValue(0);
        raw.writeFrame(1, new byte[] {2});
        assertThat(taken(r)).containsExactly(1, 1);

        // 20 s counted, then a payload frame arrives while nobody waits: it clears the count
        r = readAsync(a);
        step(a, 20);
        raw.writeEmptyFrame(2);
        assertThat(taken(r)).containsExactly(2, 0);
        long heartbeats = a.heartbeatsReceived();
        raw.writeFrame(1, new byte[] {3});
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT); // read after the frame: shows the frame is queued
        Await.until("the payload frame was queued", () -> a.heartbeatsReceived() > heartbeats);
        try (Frame f = a.readFrame()) { // queued: no wait
            assertThat(f.toByteArray()).containsExactly(3);
        }
        r = readAsync(a);
        step(a, 29);
        assertThat(stalls).as("the payload that arrived unawaited cleared the 20 s").hasValue(0);
        assertThat(r).isNotDone();
        step(a, 1); // exactly the stall timeout of waiting
        CompletableFuture<Frame> last = r;
        assertThatThrownBy(() -> last.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StreamStalledException.class,
                        e -> assertThat(e.direction()).isEqualTo(StreamStalledException.Direction.RECEIVE));
        assertThat(stalls).hasValue(1);
    }

    @Test
    void aWaitThatBeginsWithTimeCountedMakesThePacerLookBeforeItsNextHeartbeat() throws Exception {
        FrameConn[] pair = net.framePair();
        // heartbeats every 30 s: with standing clocks the pacer looks again only 30 s after each look
        HeartbeatConn a = watched(pair[0], Duration.ofSeconds(30));
        FrameConn raw = pair[1];
        CompletableFuture<Frame> r = readAsync(a);
        clock.advance(Duration.ofSeconds(20)); // no look is due before 30 s
        raw.writeEmptyFrame(2);
        assertThat(taken(r)).containsExactly(2, 0); // 20 s counted, standing
        step(a, 10); // t=30: the look sends a heartbeat and plans the next for t=60
        assertThat(stalls).hasValue(0);
        // a wait from t=30 with 20 s counted can expire at t=40: the pacer must look then, not at t=60
        r = readAsync(a);
        clock.advance(Duration.ofSeconds(10));
        Await.until("the stall was reported at t=40", () -> stalls.get() > 0, Duration.ofSeconds(5));
        CompletableFuture<Frame> last = r;
        assertThatThrownBy(() -> last.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOf(StreamStalledException.class);
        assertThat(a.heartbeatsSent()).isEqualTo(1);
    }

    @Test
    void aReadThatFindsAFrameQueuedCountsNothing() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = watched(pair[0], Duration.ofSeconds(1));
        FrameConn raw = pair[1];
        raw.writeEmptyFrame(2);
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        Await.until("both frames read", () -> a.heartbeatsReceived() == 1);
        step(a, 29);
        try (Frame f = a.readFrame()) { // queued: returns without waiting, so nothing is counted
            assertThat(f.type()).isEqualTo(2);
        }
        step(a, 29);
        CompletableFuture<Frame> r = readAsync(a);
        step(a, 29);
        assertThat(stalls).hasValue(0);
        raw.writeFrame(1, new byte[] {1});
        assertThat(taken(r)).containsExactly(1, 1);
    }

    @Test
    void payloadTakenByOneOfTwoWaitingReadersRestartsTheOthersWait() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = watched(pair[0], Duration.ofSeconds(1));
        FrameConn raw = pair[1];
        CompletableFuture<Frame> r1 = readAsync(a);
        CompletableFuture<Frame> r2 = readAsync(a);
        step(a, 20); // both wait: 20 s on the shared clock
        raw.writeFrame(1, new byte[] {1}); // arrives while both wait: the clock restarts now
        CompletableFuture.anyOf(r1, r2).get(20, TimeUnit.SECONDS);
        CompletableFuture<Frame> first = r1.isDone() ? r1 : r2;
        CompletableFuture<Frame> other = first == r1 ? r2 : r1;
        assertThat(taken(first)).containsExactly(1, 1);
        step(a, 20); // 40 s since the first wait began, 20 s since the payload
        assertThat(stalls).as("the other reader waits from the payload's arrival on").hasValue(0);
        assertThat(other).isNotDone();
        raw.writeFrame(1, new byte[] {2});
        assertThat(taken(other)).containsExactly(1, 1);
        assertThat(stalls).hasValue(0);
    }

    @Test
    void payloadArrivingWhileNobodyWaitsStartsNoClock() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = watched(pair[0], Duration.ofSeconds(1));
        FrameConn raw = pair[1];
        raw.writeFrame(1, new byte[] {1});
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT); // read after the frame: shows the frame is queued
        Await.until("the payload frame was queued", () -> a.heartbeatsReceived() == 1);
        step(a, 60); // nobody has waited yet: the looks see a standing clock at 0
        assertThat(stalls).hasValue(0);
        try (Frame f = a.readFrame()) { // queued: no wait
            assertThat(f.toByteArray()).containsExactly(1);
        }
        assertThat(stalls).hasValue(0);
    }
}
