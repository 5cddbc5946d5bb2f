package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What counts as progress for the stall timeout: payload bytes, not frames.
 * Real loopback sockets; a manual clock moved a second at a time, with the
 * peer's frames flowing in real time between the steps. The arithmetic of the
 * clocks is tested alone in {@link StallClocksTest}; these tests check that the
 * connection feeds them and acts on them, watching only what the public API
 * shows: frames, heartbeats and failures.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeartbeatStallProgressTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final Duration STALL = Duration.ofSeconds(30);
    private static final Duration TRICKLE_PAUSE = Duration.ofMillis(2);
    private final ManualTicker clock = new ManualTicker();
    private final Loopback net = new Loopback(clock);

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    /**
     * The watched side: a heartbeat every second of the clock, so that a
     * heartbeat sent after a step shows that its pacer looked at the new time
     * (and at the stall clocks with it), as long as its application does not write.
     */
    private HeartbeatConfig watchedConfig() {
        return net.heartbeatConfig().withSendInterval(SECOND).withStallTimeout(STALL);
    }

    /** Reads frames on {@code thread} until a read fails, counting them; the failure completes the future. */
    private static CompletableFuture<Void> readUntilFailure(HeartbeatConn conn, AtomicLong frames,
            Thread[] thread) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread[0] = Thread.ofVirtual().name("test-reader").start(() -> {
            try {
                while (true) {
                    try (Frame f = conn.readFrame()) {
                        frames.incrementAndGet();
                    }
                }
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * Moves the clock a second at a time, at most {@code max} times, until
     * {@code done}. After each step it waits until {@code watched}'s pacer
     * looked at the new time, for two more frames ({@code frames}, unless
     * null), so that the next step comes in a new wait, and for heartbeats on
     * every side. Returns the steps taken.
     */
    private int stepClock(int max, BooleanSupplier done, LongSupplier frames, HeartbeatConn watched,
            HeartbeatConn... sides) {
        int steps = 0;
        while (steps < max && !done.getAsBoolean()) {
            advanceWatched(watched, done);
            steps++;
            if (frames != null) {
                long target = frames.getAsLong() + 2;
                Await.until("frames keep coming at step " + steps,
                        () -> done.getAsBoolean() || frames.getAsLong() >= target);
            }
            for (HeartbeatConn side : sides) {
                Await.until("heartbeats flow at step " + steps + ": " + side, () -> done.getAsBoolean()
                        || side.sinceLastReceived().compareTo(Duration.ofSeconds(6)) < 0);
            }
        }
        return steps;
    }

    /**
     * Moves the clock a second, then waits until {@code watched} (made with
     * {@link #watchedConfig()}, its application not writing) sent the
     * heartbeat that the step made due: its pacer has then looked at the new
     * time. Unless {@code done}: a stalled connection sends nothing more.
     */
    private void advanceWatched(HeartbeatConn watched, BooleanSupplier done) {
        long sent = watched.heartbeatsSent();
        clock.advance(SECOND);
        Await.until("the pacer looked at the clock", () -> done.getAsBoolean() || watched.heartbeatsSent() > sent);
    }

    private static void assertStalled(CompletableFuture<?> f, StreamStalledException.Direction direction) {
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StreamStalledException.class,
                        e -> assertThat(e.direction()).isEqualTo(direction));
    }

    @Test
    void emptyFramesDoNotHoldOffTheReceiveStall() throws Exception {
        FrameConn[] pair = net.framePair();
        AtomicLong stalls = new AtomicLong();
        HeartbeatConn a = net.wrap(pair[0], watchedConfig().withMetrics(new HeartbeatMetrics() {
            @Override
            public void stalled(StreamStalledException.Direction direction) {
                stalls.incrementAndGet();
            }
        }));
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        AtomicLong received = new AtomicLong();
        Thread[] reader = new Thread[1];
        CompletableFuture<Void> reading = readUntilFailure(a, received, reader);
        Await.waitingIn(reader[0], "readFrame");
        int steps;
        try (Trickle empties = Trickle.start(b, 1, 0, TRICKLE_PAUSE)) {
            steps = stepClock(20, reading::isDone, received::get, a, a, b);
            // every read returned an empty frame within milliseconds, yet the waiting adds up
            assertThat(reading).isNotDone();
            steps += stepClock(40, reading::isDone, received::get, a, a, b);
        }
        assertStalled(reading, StreamStalledException.Direction.RECEIVE);
        // never before 30 s on the clock; a step that fell between two reads is not counted, hence the slack
        assertThat(steps).isBetween(30, 33);
        assertThat(received.get()).isGreaterThan(30);
        assertThat(stalls).hasValue(1);
    }

    @Test
    void oneByteFramesAreProgressAndNeverStall() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], watchedConfig());
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        AtomicLong received = new AtomicLong();
        Thread[] reader = new Thread[1];
        CompletableFuture<Void> reading = readUntilFailure(a, received, reader);
        try (Trickle bytes = Trickle.start(b, 1, 1, TRICKLE_PAUSE)) {
            int steps = stepClock(90, reading::isDone, received::get, a, a, b); // three stall timeouts
            assertThat(steps).isEqualTo(90);
            assertThat(reading).isNotDone();
        }
        assertThat(a.isOpen()).isTrue();
        // the bytes stop: each had set the clock back to zero, so a whole stall timeout is left
        Await.waitingIn(reader[0], "readFrame");
        int more = stepClock(40, reading::isDone, null, a, a, b);
        assertStalled(reading, StreamStalledException.Direction.RECEIVE);
        assertThat(more).isBetween(29, 31);
    }

    @Test
    void aFloodOfEmptyFramesCannotHoldOffAReaderThatSkipsThem() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], watchedConfig());
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        CompletableFuture<Frame> reading = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().name("test-reader").start(() -> {
            try {
                reading.complete(a.readFrameSkippingEmpty(1));
            } catch (Throwable e) {
                reading.completeExceptionally(e);
            }
        });
        Await.waitingIn(reader, "readFrameSkippingEmpty");
        int steps;
        try (Trickle flood = Trickle.start(b, 1, 0, Duration.ZERO)) { // no pause: reads need not wait
            steps = stepClock(60, reading::isDone, flood::sent, a, a, b);
            assertThat(flood.sent()).isGreaterThan(2L * 30);
        }
        assertStalled(reading, StreamStalledException.Direction.RECEIVE);
        // one call, one wait: every step counted
        assertThat(steps).isEqualTo(30);
    }

    @Test
    void readFrameSkippingEmptyDropsOnlyEmptyFramesOfItsType() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        FrameConn raw = pair[1];
        raw.writeEmptyFrame(1);
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        raw.writeEmptyFrame(1);
        raw.writeEmptyFrame(2);
        raw.writeEmptyFrame(1);
        raw.writeFrame(1, new byte[] {7});
        try (Frame f = a.readFrameSkippingEmpty(1)) {
            assertThat(f.type()).isEqualTo(2);
            assertThat(f.length()).isZero();
        }
        try (Frame f = a.readFrameSkippingEmpty(1)) {
            assertThat(f.type()).isEqualTo(1);
            assertThat(f.toByteArray()).containsExactly(7);
        }
        assertThatThrownBy(() -> a.readFrameSkippingEmpty(HeartbeatConn.HEARTBEAT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type=0x01000000");
    }

    /** A writer of frames with {@code payloadLength} bytes (it may change), as fast as {@code a} takes them. */
    private static Thread startWriter(HeartbeatConn a, AtomicInteger payloadLength, AtomicLong written,
            CompletableFuture<Void> failed) {
        return Thread.ofVirtual().name("test-writer").start(() -> {
            try {
                while (true) {
                    a.writeFrame(1, new byte[payloadLength.get()]);
                    written.incrementAndGet();
                }
            } catch (Throwable e) {
                failed.completeExceptionally(e);
            }
        });
    }

    /** Waits until the writer is blocked in a write: parked, and no write returned for 200 ms. */
    private static void awaitBlocked(Thread writer, AtomicLong written) {
        while (true) {
            Await.until("the writer parks", () -> writer.getState() == Thread.State.WAITING || !writer.isAlive());
            long n = written.get();
            try {
                Await.stays("the writer stays blocked", () -> written.get() == n, Duration.ofMillis(200));
                return;
            } catch (AssertionError stillMoving) {
                // the kernel still took bytes: look again
            }
        }
    }

    /** {@code count} steps, each after a heartbeat of the raw peer; stops early once {@code done}. */
    private int stepsWithPeerHeartbeats(int count, FrameConn raw, HeartbeatConn a, BooleanSupplier done)
            throws IOException {
        int steps = 0;
        while (steps < count && !done.getAsBoolean()) {
            stepWithPeerHeartbeat(raw, a, done);
            steps++;
        }
        return steps;
    }

    @Test
    void emptyWritesDoNotHoldOffTheSendStall() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withStallTimeout(STALL));
        FrameConn raw = pair[1]; // reads only when the test says so
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> writer = new CompletableFuture<>();
        Thread thread = startWriter(a, new AtomicInteger(0), written, writer);
        // 1: the peer reads nothing; the empty writes fill the socket buffers and block for 20 s
        awaitBlocked(thread, written);
        assertThat(stepsWithPeerHeartbeats(20, raw, a, writer::isDone)).isEqualTo(20);
        // 2: the peer reads for a while: the blocked write and thousands more return, but no payload byte moved
        long target = written.get() + 20_000;
        while (written.get() < target && !writer.isDone()) {
            try (Frame f = raw.readFrame()) {
                assertThat(f.length()).isZero();
            }
        }
        assertThat(writer).isNotDone();
        // 3: the peer stops reading: the 20 s counted before are still on the clock, 10 s are left
        awaitBlocked(thread, written);
        stallsAtTheStep(10, raw, a, writer);
    }

    /**
     * Steps the clock {@code steps - 1} times and checks that the blocked
     * writer is still not stalled, then once more and checks that it stalls,
     * with no further step: the pacer looks in real time, so the test need not
     * know when.
     */
    private void stallsAtTheStep(int steps, FrameConn raw, HeartbeatConn a, CompletableFuture<Void> writer)
            throws IOException {
        assertThat(stepsWithPeerHeartbeats(steps - 1, raw, a, writer::isDone)).isEqualTo(steps - 1);
        Await.stays("not stalled one second before the stall timeout", () -> !writer.isDone(),
                Duration.ofMillis(100));
        stepWithPeerHeartbeat(raw, a, writer::isDone);
        assertStalled(writer, StreamStalledException.Direction.SEND);
    }

    @Test
    void payloadWritesSetTheSendStallClockBack() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withStallTimeout(STALL));
        FrameConn raw = pair[1]; // reads only when the test says so
        AtomicLong written = new AtomicLong();
        AtomicInteger payloadLength = new AtomicInteger(0);
        CompletableFuture<Void> writer = new CompletableFuture<>();
        Thread thread = startWriter(a, payloadLength, written, writer);
        // 1: empty writes blocked for 20 s
        awaitBlocked(thread, written);
        assertThat(stepsWithPeerHeartbeats(20, raw, a, writer::isDone)).isEqualTo(20);
        // 2: one-byte frames now: the first one taken sets the clock back to zero (the clock does not move)
        payloadLength.set(1);
        boolean payloadSeen = false;
        while (!payloadSeen && !writer.isDone()) {
            try (Frame f = raw.readFrame()) {
                payloadSeen = f.length() == 1;
            }
        }
        // 3: the peer stops reading: the blocked payload writes stall after a whole stall timeout
        awaitBlocked(thread, written);
        stallsAtTheStep(30, raw, a, writer);
    }

    /**
     * The raw peer proves itself alive (renewing a's write timeout), then the
     * clock moves a second; unless {@code done}: a stalled a is closed. The
     * writer holds a's write side, so a sends no heartbeat that would show its
     * pacer's looks: the next step waits only for the peer's next heartbeat.
     */
    private void stepWithPeerHeartbeat(FrameConn raw, HeartbeatConn a, BooleanSupplier done) throws IOException {
        long before = a.heartbeatsReceived();
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        Await.until("a received the raw peer's heartbeat", () -> done.getAsBoolean()
                || a.heartbeatsReceived() > before);
        clock.advance(SECOND);
    }
}
