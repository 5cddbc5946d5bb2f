package dev.frameconn.stream;

import static dev.frameconn.stream.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.FrameConn;
import dev.frameconn.heartbeat.Await;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.heartbeat.Loopback;
import dev.frameconn.heartbeat.ManualTicker;
import dev.frameconn.heartbeat.StreamStalledException;
import dev.frameconn.heartbeat.Trickle;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream whose sender is alive but moves no payload byte stalls, however
 * many empty frames it sends; one byte per frame keeps it going. Real
 * loopback sockets; the receiver has the stall timeout, the sender (a bare
 * heartbeat connection writing the stream's frames itself) has none.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamStallProgressTest {
    private static final int DATA = 5;
    private static final Duration STALL = Duration.ofSeconds(30);
    private static final Duration TRICKLE_PAUSE = Duration.ofMillis(2);
    private final ManualTicker clock = new ManualTicker();
    private Loopback net = new Loopback(clock);
    private HeartbeatConn sender;
    private StreamConn receiver;

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private void connect() throws Exception {
        FrameConn[] pair = net.framePair();
        sender = net.wrap(pair[0], net.heartbeatConfig());
        receiver = StreamConn.over(net.wrap(pair[1], net.heartbeatConfig().withStallTimeout(STALL)));
    }

    /**
     * Moves the clock a second at a time, at most {@code max} times, until
     * {@code done}; after each step waits for two more frames ({@code frames})
     * and for heartbeats both ways. Returns the steps taken.
     */
    private int stepClock(int max, BooleanSupplier done, LongSupplier frames) {
        HeartbeatConn[] sides = {sender, receiver.heartbeatConn()};
        int steps = 0;
        while (steps < max && !done.getAsBoolean()) {
            clock.advance(Duration.ofSeconds(1));
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

    /** The receiver's read fails with a stall; checks when, with slack for the pacer's 5 ms polls. */
    private void assertStalled(CompletableFuture<?> read, int steps) {
        assertThatThrownBy(() -> read.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StreamBrokenException.class, e -> assertThat(e.getCause())
                        .isInstanceOfSatisfying(StreamStalledException.class, s -> assertThat(s.direction())
                                .isEqualTo(StreamStalledException.Direction.RECEIVE)));
        assertThat(steps).isBetween(30, 35); // never before the stall timeout
        assertThat(receiver.heartbeatConn().isOpen()).isFalse();
    }

    @Test
    void emptyDataFramesCannotKeepAStreamFromStalling() throws Exception {
        connect();
        StreamInput in = receiver.receive(DATA);
        CompletableFuture<Integer> read = async(in::read);
        int steps;
        try (Trickle empties = Trickle.start(sender, DATA, 0, TRICKLE_PAUSE)) {
            steps = stepClock(60, read::isDone, empties::sent);
            assertThat(empties.sent()).isGreaterThan(30);
        }
        assertStalled(read, steps);
        assertThat(in.bytesReceived()).isZero();
        in.close();
    }

    @Test
    void emptyErrorTrailerPiecesCannotKeepAStreamFromStalling() throws Exception {
        connect();
        sender.writeFrame(DATA, new byte[] {1, 2, 3});
        StreamInput in = receiver.receive(DATA);
        assertThat(in.readNBytes(3)).containsExactly(1, 2, 3);
        // a trailer that never ends and never says anything
        CompletableFuture<Integer> read = async(in::read);
        int steps;
        try (Trickle empties = Trickle.start(sender, StreamConn.ERROR_TRAILER, 0, TRICKLE_PAUSE)) {
            steps = stepClock(60, read::isDone, empties::sent);
        }
        assertStalled(read, steps);
        in.close();
    }

    @Test
    void oneByteFramesKeepAStreamGoingAndEndEndsIt() throws Exception {
        connect();
        StreamInput in = receiver.receive(DATA);
        AtomicLong received = new AtomicLong();
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                received.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                received.addAndGet(len);
            }
        };
        CompletableFuture<Long> transfer = async(() -> in.transferTo(counting));
        long sent;
        try (Trickle bytes = Trickle.start(sender, DATA, 1, TRICKLE_PAUSE)) {
            int steps = stepClock(90, transfer::isDone, received::get); // three stall timeouts
            assertThat(steps).isEqualTo(90);
            assertThat(transfer).isNotDone();
            bytes.close();
            sent = bytes.sent();
        }
        sender.writeEmptyFrame(DATA); // an empty frame now and then is fine
        sender.writeEmptyFrame(StreamConn.END);
        assertThat(transfer.get(20, TimeUnit.SECONDS)).isEqualTo(sent);
        assertThat(in.isEnded()).isTrue();
        in.close();
        // END ended the stream cleanly: the direction carries the next one
        sender.writeFrame(DATA, new byte[] {9});
        sender.writeEmptyFrame(StreamConn.END);
        try (StreamInput next = receiver.receive(DATA)) {
            assertThat(next.readAllBytes()).containsExactly(9);
        }
        assertThat(receiver.heartbeatConn().isOpen()).isTrue();
    }

    @Test
    void emptyDataFramesStallAStreamOnTheWallClockToo() throws Exception {
        net.close();
        net = new Loopback(); // the system clock
        FrameConn[] pair = net.framePair();
        sender = net.wrap(pair[0], net.heartbeatConfig());
        Duration stall = Duration.ofMillis(300);
        receiver = StreamConn.over(net.wrap(pair[1], net.heartbeatConfig().withStallTimeout(stall)));
        StreamInput in = receiver.receive(DATA);
        long start = System.nanoTime();
        CompletableFuture<Integer> read = async(in::read);
        try (Trickle empties = Trickle.start(sender, DATA, 0, TRICKLE_PAUSE)) {
            assertThatThrownBy(() -> read.get(20, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(StreamBrokenException.class,
                            e -> assertThat(e.getCause()).isInstanceOf(StreamStalledException.class));
            // the stall timeout counts waiting time only, so it cannot have come early
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(stall);
            assertThat(empties.sent()).isGreaterThan(10);
        }
        in.close();
    }
}
