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
 * peer's frames flowing in real time between the steps.
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

    /** Reads frames until a read fails, counting them; the failure completes the future. */
    private static CompletableFuture<Void> readUntilFailure(HeartbeatConn conn, AtomicLong frames) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("test-reader").start(() -> {
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
     * looked at the new time, for two more frames ({@code frames}), so that the
     * next step comes in a new wait, and for heartbeats on every side. Returns
     * the steps taken.
     */
    private int stepClock(int max, BooleanSupplier done, LongSupplier frames, HeartbeatConn watched,
            HeartbeatConn... sides) {
        int steps = 0;
        while (steps < max && !done.getAsBoolean()) {
            advance(watched, done);
            steps++;
            long target = frames.getAsLong() + 2;
            Await.until("frames keep coming at step " + steps,
                    () -> done.getAsBoolean() || frames.getAsLong() >= target);
            for (HeartbeatConn side : sides) {
                Await.until("heartbeats flow at step " + steps + ": " + side, () -> done.getAsBoolean()
                        || side.sinceLastReceived().compareTo(Duration.ofSeconds(6)) < 0);
            }
        }
        return steps;
    }

    @Test
    void emptyFramesDoNotHoldOffTheReceiveStall() throws Exception {
        FrameConn[] pair = net.framePair();
        AtomicLong stalls = new AtomicLong();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withStallTimeout(STALL)
                .withMetrics(new HeartbeatMetrics() {
                    @Override
                    public void stalled(StreamStalledException.Direction direction) {
                        stalls.incrementAndGet();
                    }
                }));
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> reading = readUntilFailure(a, received);
        Await.until("the reader waits", () -> a.waitingReaders() == 1);
        int steps;
        try (Trickle empties = Trickle.start(b, 1, 0, TRICKLE_PAUSE)) {
            steps = stepClock(20, reading::isDone, received::get, a, a, b);
            // every read returned an empty frame within milliseconds, yet the waiting added up
            assertThat(reading).isNotDone();
            assertThat(a.receiveStallClock()).isBetween(Duration.ofSeconds(18), Duration.ofSeconds(20));
            steps += stepClock(40, reading::isDone, received::get, a, a, b);
        }
        assertThatThrownBy(() -> reading.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StreamStalledException.class,
                        e -> assertThat(e.direction()).isEqualTo(StreamStalledException.Direction.RECEIVE));
        // never before 30 s on the clock; a step that fell between two reads is not counted, hence the slack
        assertThat(steps).isBetween(30, 33);
        assertThat(received.get()).isGreaterThan(30);
        assertThat(stalls).hasValue(1);
    }

    @Test
    void oneByteFramesAreProgressAndNeverStall() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withStallTimeout(STALL));
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> reading = readUntilFailure(a, received);
        try (Trickle bytes = Trickle.start(b, 1, 1, TRICKLE_PAUSE)) {
            int steps = stepClock(90, reading::isDone, received::get, a, a, b); // three stall timeouts
            assertThat(steps).isEqualTo(90);
            assertThat(reading).isNotDone();
            // each byte set the clock back to zero; no wait spanned more than one step
            assertThat(a.receiveStallClock()).isLessThanOrEqualTo(SECOND);
        }
        assertThat(a.isOpen()).isTrue();
        a.close();
        assertThatThrownBy(() -> reading.get(20, TimeUnit.SECONDS)).cause()
                .isNotInstanceOf(StreamStalledException.class);
    }

    @Test
    void aFloodOfEmptyFramesCannotHoldOffAReaderThatSkipsThem() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withStallTimeout(STALL));
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        CompletableFuture<Frame> reading = new CompletableFuture<>();
        Thread.ofVirtual().name("test-reader").start(() -> {
            try {
                reading.complete(a.readFrameSkippingEmpty(1));
            } catch (Throwable e) {
                reading.completeExceptionally(e);
            }
        });
        Await.until("the reader waits", () -> a.waitingReaders() == 1);
        int steps;
        try (Trickle flood = Trickle.start(b, 1, 0, Duration.ZERO)) { // no pause: reads need not wait
            steps = stepClock(60, reading::isDone, flood::sent, a, a, b);
            assertThat(flood.sent()).isGreaterThan(2L * 30);
        }
        assertThatThrownBy(() -> reading.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StreamStalledException.class,
                        e -> assertThat(e.direction()).isEqualTo(StreamStalledException.Direction.RECEIVE));
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

    @Test
    void emptyWritesDoNotHoldOffTheSendStallButPayloadBytesDo() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withStallTimeout(STALL));
        FrameConn raw = pair[1]; // reads only when the test says so
        AtomicLong written = new AtomicLong();
        AtomicInteger payloadLength = new AtomicInteger(0);
        CompletableFuture<Void> writer = new CompletableFuture<>();
        Thread.ofVirtual().name("test-writer").start(() -> {
            try {
                while (true) {
                    a.writeFrame(1, new byte[payloadLength.get()]);
                    written.incrementAndGet();
                }
            } catch (Throwable e) {
                writer.completeExceptionally(e);
            }
        });
        // 1: the peer reads nothing; the writes fill the socket buffers and block. A step that comes
        // while the kernel still takes bytes may fall between two writes, and is not counted.
        int steps = 0;
        while (a.sendStallClock().compareTo(Duration.ofSeconds(20)) < 0 && steps < 300 && !writer.isDone()) {
            stepWithPeerHeartbeat(raw, a, writer::isDone);
            steps++;
        }
        assertThat(writer).isNotDone();
        assertThat(a.sendStallClock()).as("after %d steps, %d writes", steps, written.get())
                .isBetween(Duration.ofSeconds(20), Duration.ofSeconds(21));
        // 2: the peer reads for a while: the blocked write and thousands more return, but no payload byte moved
        long target = written.get() + 20_000;
        while (written.get() < target && !writer.isDone()) {
            try (Frame f = raw.readFrame()) {
                assertThat(f.length()).isZero();
            }
        }
        assertThat(writer).isNotDone();
        assertThat(a.sendStallClock()).isGreaterThanOrEqualTo(Duration.ofSeconds(20));
        // 3: one-byte frames now: the first one taken sets the clock back to zero (the clock did not move)
        payloadLength.set(1);
        boolean payloadSeen = false;
        while (!payloadSeen && !writer.isDone()) {
            try (Frame f = raw.readFrame()) {
                payloadSeen = f.length() == 1;
            }
        }
        Await.until("a payload write set the send stall clock back",
                () -> a.sendStallClock().compareTo(SECOND) < 0);
        // 4: the peer stops reading: the blocked payload writes stall in the end
        int more = 0;
        while (!writer.isDone() && more < 300) {
            stepWithPeerHeartbeat(raw, a, writer::isDone);
            more++;
        }
        assertThatThrownBy(() -> writer.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StreamStalledException.class,
                        e -> assertThat(e.direction()).isEqualTo(StreamStalledException.Direction.SEND));
        assertThat(more).isGreaterThanOrEqualTo(30);
    }

    /** Moves the clock a second, then waits until {@code watched}'s pacer has seen it (unless done). */
    private void advance(HeartbeatConn watched, BooleanSupplier done) {
        long ticks = watched.pacerTicks();
        clock.advance(SECOND);
        // two looks: the first may have read the clock just before it moved
        Await.until("the pacer looked at the clock", () -> done.getAsBoolean() || watched.pacerTicks() >= ticks + 2);
    }

    /**
     * The raw peer proves itself alive (renewing a's write timeout), then the
     * clock moves a second; unless {@code done}: a stalled a is closed.
     */
    private void stepWithPeerHeartbeat(FrameConn raw, HeartbeatConn a, BooleanSupplier done) throws IOException {
        long before = a.heartbeatsReceived();
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        Await.until("a received the raw peer's heartbeat", () -> done.getAsBoolean()
                || a.heartbeatsReceived() > before);
        advance(a, done);
    }
}
