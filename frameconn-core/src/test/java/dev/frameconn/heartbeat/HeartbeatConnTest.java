package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.ShutdownResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The heartbeat layer over real loopback sockets. Timing is driven by a manual
 * clock: the test moves time, the connection's pacer and the core's watchdog
 * notice within milliseconds, and the test waits for the effect.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeartbeatConnTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private final ManualTicker clock = new ManualTicker();
    private final Loopback net = new Loopback(clock);

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private static Frame read(FrameConn raw) throws IOException {
        return raw.readFrame();
    }

    @Test
    void sendsHeartbeatsOnlyWhenNothingWasWrittenForTheInterval() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        FrameConn raw = pair[1];

        advanceWithPeerHeartbeat(raw, a, 5); // t=5: idle for the interval
        try (Frame f = read(raw)) {
            assertThat(f.type()).isEqualTo(HeartbeatConn.HEARTBEAT);
            assertThat(f.length()).isZero();
        }
        advanceWithPeerHeartbeat(raw, a, 5); // t=10
        try (Frame f = read(raw)) {
            assertThat(f.type()).isEqualTo(HeartbeatConn.HEARTBEAT);
        }
        Await.until("second heartbeat counted", () -> a.heartbeatsSent() == 2);
        advanceWithPeerHeartbeat(raw, a, 2); // t=12: application data
        a.writeFrame(7, new byte[] {1, 2, 3});
        advanceWithPeerHeartbeat(raw, a, 3); // t=15: 5 s after the last heartbeat, only 3 s after the data
        Await.stays("no heartbeat 3 s after data", () -> a.heartbeatsSent() == 2, Duration.ofMillis(100));
        advanceWithPeerHeartbeat(raw, a, 2); // t=17: 5 s after the data
        try (Frame f = read(raw)) {
            assertThat(f.type()).isEqualTo(7);
            assertThat(f.toByteArray()).containsExactly(1, 2, 3);
        }
        try (Frame f = read(raw)) {
            assertThat(f.type()).isEqualTo(HeartbeatConn.HEARTBEAT);
        }
        // counted just after the write returns, which may be just after the peer read it
        Await.until("third heartbeat counted", () -> a.heartbeatsSent() == 3);
    }

    /** The raw peer proves itself alive (so that a does not time it out), then the clock moves. */
    private void advanceWithPeerHeartbeat(FrameConn raw, HeartbeatConn a, int seconds) throws IOException {
        long before = a.heartbeatsReceived();
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        Await.until("a received the raw peer's heartbeat", () -> a.heartbeatsReceived() > before);
        clock.advance(Duration.ofSeconds(seconds));
    }

    @Test
    void dropsReceivedHeartbeatsAndKeepsApplicationFramesInOrder() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        FrameConn raw = pair[1];
        raw.writeFrame(1, new byte[] {10});
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        raw.writeEmptyFrame(HeartbeatConn.HEARTBEAT);
        raw.writeFrame(2, new byte[] {20, 21});
        raw.writeEmptyFrame(3); // empty application frames are real frames
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(1);
            assertThat(f.toByteArray()).containsExactly(10);
        }
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(2);
            assertThat(f.toByteArray()).containsExactly(20, 21);
        }
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(3);
            assertThat(f.length()).isZero();
        }
        assertThat(a.heartbeatsReceived()).isEqualTo(2);
    }

    @Test
    void rejectsReservedTypesBothWays() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        assertThatThrownBy(() -> a.writeEmptyFrame(HeartbeatConn.HEARTBEAT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("type=0x01000000");
        assertThatThrownBy(() -> a.writeEmptyFrame(0x0800_0000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.writeEmptyFrame(0x1000_0000)).isInstanceOf(IllegalArgumentException.class);
        assertThat(HeartbeatConn.isApplicationType(0x00FF_FFFF)).isTrue();

        pair[1].writeFrame(5, new byte[] {1});
        pair[1].writeEmptyFrame(0x0200_0000); // heartbeat layer's bits, but not HEARTBEAT
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(5); // frames before the violation are delivered
        }
        assertThatThrownBy(a::readFrame).isInstanceOf(HeartbeatProtocolException.class)
                .hasMessageContaining("type=0x02000000");
        assertThatThrownBy(a::readFrame).isInstanceOf(HeartbeatProtocolException.class);
    }

    @Test
    void silentPeerIsDetectedWithinThePeerTimeout() throws Exception {
        AtomicInteger timeouts = new AtomicInteger();
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withMetrics(new HeartbeatMetrics() {
            @Override
            public void peerTimedOut() {
                timeouts.incrementAndGet();
            }
        }));
        // pair[1] is a raw peer that never writes: no data, no heartbeats.
        // The read idle timeout counts from the start of the reader's read call: wait until it is in it.
        Thread reader = net.threads.threads().get(0);
        Await.until("a's reader blocks in a socket read", () -> inSocketRead(reader));
        CompletableFuture<Frame> pending = CompletableFuture.supplyAsync(() -> {
            try {
                return a.readFrame();
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        clock.advance(Duration.ofMillis(9_900));
        Await.stays("alive before the peer timeout", () -> !pending.isDone(), Duration.ofMillis(100));
        clock.advance(Duration.ofMillis(100)); // exactly the peer timeout
        assertThatThrownBy(() -> pending.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PeerTimeoutException.class)
                .hasMessageContaining("sent nothing, not even a heartbeat, for peerTimeout=10s")
                .isInstanceOfSatisfying(PeerTimeoutException.class,
                        e -> assertThat(e.peerTimeout()).isEqualTo(Duration.ofSeconds(10)));
        assertThatThrownBy(() -> a.writeFrame(1, new byte[1])).isInstanceOf(PeerTimeoutException.class);
        assertThat(timeouts).as("one peer timeout, reported by the reader and the writer").hasValue(1);
        assertThat(a.isOpen()).isFalse();
    }

    /**
     * Whether the reader (a virtual thread) is parked in the channel's read
     * under {@code readSome}, so that its read idle timeout has begun:
     * {@code readSome} alone on the stack is not enough, a reader descheduled
     * before {@code beginRead} starts its timeout after the clock moved (a
     * loaded run waited 20 s for a timeout that was 10 s later than planned).
     */
    private static boolean inSocketRead(Thread t) {
        if (t.getState() != Thread.State.WAITING) {
            return false;
        }
        boolean inChannelRead = false;
        for (StackTraceElement e : t.getStackTrace()) { // innermost first
            if (e.getClassName().equals("sun.nio.ch.SocketChannelImpl") && e.getMethodName().equals("read")) {
                inChannelRead = true;
            } else if (inChannelRead && e.getMethodName().equals("readSome")) {
                return true;
            }
        }
        return false;
    }

    /** Moves the clock one second at a time, letting both sides' heartbeats land before the next step. */
    private void runClock(Duration total, HeartbeatConn... sides) {
        runClock(total, () -> false, sides);
    }

    /** Like {@link #runClock(Duration, HeartbeatConn...)}, stopping early once {@code done} holds. */
    private void runClock(Duration total, java.util.function.BooleanSupplier done, HeartbeatConn... sides) {
        for (long s = 0; s < total.toSeconds() && !done.getAsBoolean(); s++) {
            clock.advance(SECOND);
            for (HeartbeatConn side : sides) {
                // the peer, idle since its last write, sends a heartbeat every 5 s
                try {
                    Await.until("heartbeats flow", () -> done.getAsBoolean()
                            || side.sinceLastReceived().compareTo(Duration.ofSeconds(6)) < 0);
                } catch (AssertionError e) {
                    StringBuilder state = new StringBuilder("step " + s + ":");
                    for (HeartbeatConn x : sides) {
                        state.append("\n  ").append(x).append(" sinceLastReceived=").append(x.sinceLastReceived())
                                .append(" open=").append(x.isOpen());
                    }
                    for (Thread t : net.threads.threads()) {
                        state.append("\n  ").append(t).append(' ').append(t.getState());
                        for (StackTraceElement el : t.getStackTrace()) {
                            state.append("\n      at ").append(el);
                        }
                    }
                    throw new AssertionError(e.getMessage() + "\n" + state, e);
                }
            }
        }
    }

    @Test
    void heartbeatsKeepAnIdleConnectionAliveFarBeyondThePeerTimeout() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        runClock(Duration.ofSeconds(60), a, b);
        // one per 5 to 7 s (the clock moves in steps while the pacer looks every 5 ms): at least
        // six peer timeouts survived on heartbeats alone
        assertThat(a.heartbeatsReceived()).isGreaterThanOrEqualTo(6);
        assertThat(b.heartbeatsReceived()).isGreaterThanOrEqualTo(6);
        a.writeFrame(9, new byte[] {42});
        try (Frame f = b.readFrame()) {
            assertThat(f.toByteArray()).containsExactly(42);
        }
    }

    @Test
    void keepsDrainingHeartbeatsAndSeesRstWhileTheApplicationDoesNotRead() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        b.writeFrame(1, new byte[] {1}); // waits in a's queue: a's application is busy elsewhere
        runClock(Duration.ofSeconds(40), a, b); // four peer timeouts without a single readFrame() on a
        assertThat(a.heartbeatsReceived()).isGreaterThanOrEqualTo(4);
        assertThat(a.isOpen()).isTrue();
        CompletableFuture<ShutdownResult> bDown = CompletableFuture.supplyAsync(b::shutdown);
        // a's reader consumes the RST at once, though a's application still does not read
        Await.until("a sees the peer's RST", () -> a.frameConn().isShuttingDown());
        try (Frame f = a.readFrame()) {
            assertThat(f.toByteArray()).containsExactly(1); // queued data first
        }
        assertThatThrownBy(a::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class,
                e -> assertThat(e.byPeer()).isTrue());
        ShutdownResult aDown = a.shutdown();
        assertThat(aDown.clean()).as("%s", aDown).isTrue();
        assertThat(bDown.get(20, TimeUnit.SECONDS).clean()).isTrue();
        assertThat(a.threadsEnded()).isTrue();
        assertThat(b.threadsEnded()).isTrue();
    }

    @Test
    void dataStalledUnderLiveHeartbeatsIsReportedToTheWaitingReader() throws Exception {
        FrameConn[] pair = net.framePair();
        AtomicLong stalls = new AtomicLong();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withStallTimeout(Duration.ofSeconds(30))
                .withMetrics(new HeartbeatMetrics() {
                    @Override
                    public void stalled(StreamStalledException.Direction direction) {
                        stalls.incrementAndGet();
                    }
                }));
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        b.writeFrame(1, new byte[] {1});
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(1);
        }
        CompletableFuture<Frame> pending = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().name("test-reader").start(() -> {
            try {
                pending.complete(a.readFrame());
            } catch (Throwable e) {
                pending.completeExceptionally(e);
            }
        });
        Await.waitingIn(reader, "readFrame");
        runClock(Duration.ofSeconds(29), a, b);
        Await.stays("alive, and 29 s < stall timeout", () -> !pending.isDone(), Duration.ofMillis(50));
        runClock(Duration.ofSeconds(5), pending::isDone, a, b);
        assertThatThrownBy(() -> pending.get(20, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(StreamStalledException.class, e -> {
                    assertThat(e.direction()).isEqualTo(StreamStalledException.Direction.RECEIVE);
                    assertThat(e.getMessage()).contains("stallTimeout=30s");
                });
        assertThat(stalls).hasValue(1);
        assertThat(a.heartbeatsReceived()).isGreaterThanOrEqualTo(5); // the peer was alive throughout
    }

    @Test
    void peerThatTakesNoDataIsReportedStalledToTheBlockedWriter() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withStallTimeout(Duration.ofSeconds(30)));
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig().withReceiveQueueFrames(1));
        // b's application never reads: its queue fills, its reader stops, the socket buffers fill
        ByteBuffer chunk = ByteBuffer.allocate(512 << 10);
        CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
            long frames = 0;
            try {
                while (true) {
                    a.writeFrame(1, chunk);
                    frames++;
                }
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        // heartbeats from b renew a's write timeout: no peer timeout at 10 s, only the stall at 30 s
        runClock(Duration.ofSeconds(120), writer::isDone, a);
        assertThatThrownBy(() -> writer.get(20, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(StreamStalledException.class,
                        e -> assertThat(e.direction()).isEqualTo(StreamStalledException.Direction.SEND));
        // the peer was alive throughout: one heartbeat per 5 to 7 s of the stepped clock over the 30 s
        // (5 once failed in a loaded full build, the last one due with the stall itself)
        assertThat(a.heartbeatsReceived()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void shutdownBetweenTwoHeartbeatConnsIsCleanAndStopsEveryThread() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        a.writeFrame(1, new byte[] {1});
        CompletableFuture<ShutdownResult> aDown = CompletableFuture.supplyAsync(a::shutdown);
        try (Frame f = b.readFrame()) {
            assertThat(f.type()).isEqualTo(1); // data sent before the shutdown survives it
        }
        assertThatThrownBy(b::readFrame).isInstanceOf(ConnectionShutdownException.class);
        assertThat(b.shutdown().clean()).isTrue();
        assertThat(aDown.get(20, TimeUnit.SECONDS).clean()).isTrue();
        assertThat(a.threadsEnded()).isTrue();
        assertThat(b.threadsEnded()).isTrue();
        // a reader each; no heartbeat fell due, so no heartbeat thread ran (pacing is a timer, not a thread)
        assertThat(net.threads.threads()).hasSize(2);
    }

    @Test
    void closeWakesABlockedReaderAndStopsEveryThread() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig());
        CompletableFuture<Frame> pending = CompletableFuture.supplyAsync(() -> {
            try {
                return a.readFrame();
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        a.close();
        assertThatThrownBy(() -> pending.get(20, TimeUnit.SECONDS))
                .cause().isInstanceOf(ConnectionShutdownException.class);
        assertThat(a.threadsEnded()).isTrue();
        a.close(); // idempotent
    }

    @Test
    void aThreadThatCannotStartLeavesNoThreadRunningAndClosesTheConnection() throws Exception {
        FrameConn[] pair = net.framePair();
        Thread spent = Thread.ofVirtual().unstarted(() -> {});
        spent.start();
        spent.join();
        AtomicInteger made = new AtomicInteger();
        // the reader, the one long-lived thread, is a thread that already ran, so its start() throws
        java.util.concurrent.ThreadFactory first = r -> made.incrementAndGet() == 1 ? spent : net.threads.newThread(r);
        assertThatThrownBy(() -> HeartbeatConn.wrap(pair[0], net.heartbeatConfig().withThreadFactory(first)))
                .isInstanceOf(IllegalThreadStateException.class);
        assertThat(made).hasValue(1);
        Await.until("the started threads ended", () -> net.threads.alive().isEmpty());
        assertThat(pair[0].isOpen()).isFalse();
    }

    @Test
    void aThreadFactoryThatFailsClosesTheConnection() throws Exception {
        FrameConn[] pair = net.framePair();
        AtomicInteger made = new AtomicInteger();
        java.util.concurrent.ThreadFactory failing = r -> {
            made.incrementAndGet();
            throw new IllegalStateException("no threads today");
        };
        assertThatThrownBy(() -> HeartbeatConn.wrap(pair[0], net.heartbeatConfig().withThreadFactory(failing)))
                .hasMessage("no threads today");
        assertThat(pair[0].isOpen()).isFalse();
        assertThat(net.threads.alive()).isEmpty(); // made, never started
        java.util.concurrent.ThreadFactory nulls = r -> null;
        assertThatThrownBy(() -> HeartbeatConn.wrap(pair[1], net.heartbeatConfig().withThreadFactory(nulls)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("threadFactory");
        assertThat(pair[1].isOpen()).isFalse();
    }

    @Test
    void heartbeatsStillGoOutWhenTheFactoryFailsAfterTheReader() throws Exception {
        FrameConn[] pair = net.framePair();
        AtomicInteger made = new AtomicInteger();
        // the reader is made at wrap; a heartbeat thread, made later by the timer, cannot be
        java.util.concurrent.ThreadFactory readerOnly = r -> {
            if (made.incrementAndGet() > 1) {
                throw new IllegalStateException("no threads today");
            }
            return net.threads.newThread(r);
        };
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withThreadFactory(readerOnly));
        FrameConn raw = pair[1];
        advanceWithPeerHeartbeat(raw, a, 5);
        try (Frame f = read(raw)) {
            assertThat(f.type()).isEqualTo(HeartbeatConn.HEARTBEAT); // written by a fallback virtual thread
        }
        assertThat(made.get()).isGreaterThan(1);
        Await.until("heartbeat counted", () -> a.heartbeatsSent() == 1);
        a.close();
        assertThat(a.threadsEnded()).isTrue();
    }

    @Test
    void configurationIsChecked() {
        HeartbeatConfig d = HeartbeatConfig.defaults();
        assertThat(d.sendInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.peerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.stallTimeout()).isZero();
        assertThatThrownBy(() -> d.withSendInterval(Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sendInterval=PT10S must be shorter than peerTimeout=PT10S");
        assertThatThrownBy(() -> d.withStallTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withReceiveQueueFrames(0)).isInstanceOf(IllegalArgumentException.class);
        // both at once: one by one, 5 s/10 s to 500 ms/2 s would fail in between
        HeartbeatConfig fast = d.withTiming(Duration.ofMillis(500), Duration.ofSeconds(2));
        assertThat(fast.sendInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(fast.peerTimeout()).isEqualTo(Duration.ofSeconds(2));
    }
}
