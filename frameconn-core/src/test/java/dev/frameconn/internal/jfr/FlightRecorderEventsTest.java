package dev.frameconn.internal.jfr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameProtocolException;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.FrameTooLargeException;
import dev.frameconn.ShutdownReason;
import dev.frameconn.ShutdownResult;
import dev.frameconn.heartbeat.HeartbeatConfig;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.heartbeat.HeartbeatProtocolException;
import dev.frameconn.heartbeat.PeerTimeoutException;
import dev.frameconn.heartbeat.StreamStalledException;
import dev.frameconn.stream.StreamConn;
import dev.frameconn.stream.StreamInput;
import dev.frameconn.stream.StreamProtocolException;
import dev.frameconn.testkit.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each frameconn Flight Recorder event, provoked for real over loopback sockets
 * and read back from a {@link RecordingStream}. Events reach the stream
 * asynchronously (about once a second), so each test waits for its event, with
 * a bound, matched by the connection's remote address.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlightRecorderEventsTest {
    private static final List<String> NAMES = List.of("frameconn.Shutdown", "frameconn.Timeout",
            "frameconn.ProtocolError", "frameconn.FrameTooLarge", "frameconn.PeerTimeout", "frameconn.Stall");
    private static final Duration EVENT_WAIT = Duration.ofSeconds(30);

    private static final ReentrantLock lock = new ReentrantLock();
    private static final Condition arrived = lock.newCondition();
    private static final List<RecordedEvent> recorded = new ArrayList<>();
    private static RecordingStream stream;
    /**
     * When the running test began. Events that started earlier belong to an
     * earlier test: its peer may have had the same ephemeral port as this
     * test's (CI once matched a frame-layer error of an earlier raw peer).
     */
    private static volatile Instant since = Instant.MIN;

    @RegisterExtension
    final Fixtures f = new Fixtures();

    @BeforeAll
    static void startRecording() {
        assertThat(FrameConnEvents.available()).as("jdk.jfr is read by the core in the test runtime").isTrue();
        stream = new RecordingStream();
        stream.setReuse(false); // the events are kept after the action returns
        for (String name : NAMES) {
            stream.enable(name);
        }
        stream.onEvent(event -> {
            lock.lock();
            try {
                recorded.add(event);
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        });
        stream.startAsync(); // the recording runs once this returns; only delivery is asynchronous
    }

    @BeforeEach
    void markStart() {
        since = Instant.now();
    }

    /** Whether {@code e} is named {@code name}, is about a connection to {@code address} and began in this test. */
    private static boolean ofThisTest(RecordedEvent e, String name, String address) {
        return e.getEventType().getName().equals(name) && address.equals(e.getString("remoteAddress"))
                && !e.getStartTime().isBefore(since);
    }

    @AfterAll
    static void stopRecording() {
        stream.close();
    }

    /** The first event named {@code name} about a connection to {@code remote} that satisfies {@code more}. */
    private static RecordedEvent await(String name, Object remote, Predicate<RecordedEvent> more)
            throws InterruptedException {
        String address = String.valueOf(remote);
        long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
        lock.lock();
        try {
            while (true) {
                for (RecordedEvent e : recorded) {
                    if (ofThisTest(e, name, address) && more.test(e)) {
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + name + " event for remoteAddress=" + address + " within "
                            + EVENT_WAIT + "; recorded: " + recorded.stream()
                                    .map(e -> e.getEventType().getName() + " " + e.getString("remoteAddress"))
                                    .toList());
                }
                arrived.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private static RecordedEvent await(String name, Object remote) throws InterruptedException {
        return await(name, remote, e -> true);
    }

    private static List<RecordedEvent> recordedFor(String name, Object remote) {
        lock.lock();
        try {
            return recorded.stream().filter(e -> ofThisTest(e, name, String.valueOf(remote))).toList();
        } finally {
            lock.unlock();
        }
    }

    private static boolean calledFrom(RecordedEvent e, String method) {
        return e.getStackTrace() != null && e.getStackTrace().getFrames().stream()
                .map(RecordedFrame::getMethod).anyMatch(m -> m.getName().equals(method));
    }

    @Test
    void cleanShutdownIsRecordedOnBothSidesWithTheReasons() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        Future<ShutdownResult> server = f.threads.submit(() -> {
            try (Frame frame = p.server().readFrame()) {
                throw new AssertionError("no frame was sent, got type=" + frame.type());
            } catch (ConnectionShutdownException e) {
                return p.server().shutdown();
            }
        });
        ShutdownResult client = p.client().shutdown(Duration.ofSeconds(20),
                ShutdownReason.of(ShutdownReason.GOING_AWAY, "maintenance"));
        assertThat(client.clean()).as(client.toString()).isTrue();
        assertThat(Fixtures.get(server).clean()).isTrue();

        RecordedEvent c = await("frameconn.Shutdown", p.client().remoteAddress());
        assertThat(c.getBoolean("clean")).isTrue();
        assertThat(c.getString("failedStep")).isEmpty();
        assertThat(c.getString("error")).isEmpty();
        assertThat(c.getBoolean("peerInitiated")).isFalse();
        assertThat(c.getBoolean("peerAnswered")).isTrue();
        assertThat(c.getString("reason"))
                .isEqualTo(ShutdownReason.of(ShutdownReason.GOING_AWAY, "maintenance").toString());
        assertThat(c.getLong("drainedBytes")).as("the server's empty RST, 8 bytes").isEqualTo(8);
        assertThat(c.getDuration()).isPositive();
        assertThat(calledFrom(c, "cleanShutdownIsRecordedOnBothSidesWithTheReasons")).isTrue();

        RecordedEvent s = await("frameconn.Shutdown", p.server().remoteAddress());
        assertThat(s.getBoolean("clean")).isTrue();
        assertThat(s.getBoolean("peerInitiated")).isTrue();
        assertThat(s.getString("peerReason")).contains("maintenance");
        assertThat(s.getString("reason")).isEmpty();

        assertThat(recordedFor("frameconn.Shutdown", p.client().remoteAddress())).hasSize(1);
        assertThat(recordedFor("frameconn.Timeout", p.client().remoteAddress())).isEmpty();
    }

    @Test
    void uncleanShutdownRecordsTheFailedStepAndTheShutdownDeadline() throws Exception {
        // the raw peer never answers RST nor closes: the drain runs into the shutdown's deadline
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.send(new byte[] {0, 0, 0, 1, 0, 0, 0, 3, 1, 2}); // a frame cut short: drained, never completed
        ShutdownResult result = peer.conn().shutdown(Duration.ofMillis(300));
        assertThat(result.clean()).as(result.toString()).isFalse();

        RecordedEvent e = await("frameconn.Shutdown", peer.conn().remoteAddress());
        assertThat(e.getBoolean("clean")).isFalse();
        assertThat(e.getString("failedStep")).isEqualTo("drain");
        assertThat(e.getString("error")).isNotEmpty();
        assertThat(e.getLong("drainedBytes")).isEqualTo(10);
        assertThat(e.getBoolean("peerAnswered")).isFalse();
        assertThat(e.getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(250));

        RecordedEvent t = await("frameconn.Timeout", peer.conn().remoteAddress());
        assertThat(t.getString("kind")).isEqualTo("shutdown");
        assertThat(t.getDuration("timeout")).isZero();
    }

    @Test
    void readTimeoutIsRecordedWithItsKindAndTimeout() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withIdleTimeout(Duration.ofMillis(200))));
        assertThatThrownBy(() -> peer.conn().readFrame()).isInstanceOfSatisfying(FrameTimeoutException.class,
                e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.READ_IDLE));

        RecordedEvent t = await("frameconn.Timeout", peer.conn().remoteAddress());
        assertThat(t.getString("kind")).isEqualTo("read");
        assertThat(t.getDuration("timeout")).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void reservedTypeBitsFromARawPeerAreAProtocolError() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.send(new byte[] {0x20, 0, 0, 7, 0, 0, 0, 0}); // type 0x20000007: bit 29 is reserved
        assertThatThrownBy(() -> peer.conn().readFrame()).isInstanceOf(FrameProtocolException.class);

        RecordedEvent e = await("frameconn.ProtocolError", peer.conn().remoteAddress());
        assertThat(e.getString("layer")).isEqualTo("frame");
        assertThat(e.getString("message")).contains("type=0x20000007");
        assertThat(calledFrom(e, "readFrame")).as("stack trace of the reading thread").isTrue();
        // the shutdown after a violation is abortive: recorded as such, with the reason it sent
        ShutdownResult result = peer.conn().shutdown(Duration.ofSeconds(5));
        RecordedEvent s = await("frameconn.Shutdown", peer.conn().remoteAddress());
        assertThat(s.getBoolean("clean")).isEqualTo(result.clean()).isFalse();
        assertThat(s.getString("failedStep")).isEqualTo("drain");
    }

    @Test
    void frameLongerThanTheLimitIsRecordedWithLengthAndLimit() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withMaxPayloadLength(1024)));
        peer.send(new byte[] {0, 0, 0, 9, 0, 0, 0x10, 0}); // type 9, length 4096
        assertThatThrownBy(() -> peer.conn().readFrame()).isInstanceOf(FrameTooLargeException.class);

        RecordedEvent e = await("frameconn.FrameTooLarge", peer.conn().remoteAddress());
        assertThat(e.getString("frameType")).isEqualTo("0x00000009");
        assertThat(e.getLong("length")).isEqualTo(4096);
        assertThat(e.getLong("limit")).isEqualTo(1024);
        assertThat(recordedFor("frameconn.ProtocolError", peer.conn().remoteAddress())).isEmpty();
    }

    @Test
    void silentPeerOfAHeartbeatConnIsAPeerTimeout() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP); // the server side never writes: no data, no heartbeats
        HeartbeatConn hb = f.track(HeartbeatConn.wrap(p.client(), HeartbeatConfig.defaults()
                .withSendInterval(Duration.ofMillis(100)).withPeerTimeout(Duration.ofMillis(300))));
        assertThatThrownBy(hb::readFrame).isInstanceOf(PeerTimeoutException.class);

        RecordedEvent e = await("frameconn.PeerTimeout", p.client().remoteAddress());
        assertThat(e.getString("direction")).isEqualTo("read");
        assertThat(e.getDuration("peerTimeout")).isEqualTo(Duration.ofMillis(300));
        RecordedEvent t = await("frameconn.Timeout", p.client().remoteAddress());
        assertThat(t.getString("kind")).isEqualTo("read");
        hb.close();
        assertThat(recordedFor("frameconn.PeerTimeout", p.client().remoteAddress())).hasSize(1);
    }

    @Test
    void liveButSilentPeerIsAStall() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        HeartbeatConfig fast = HeartbeatConfig.defaults().withSendInterval(Duration.ofMillis(50))
                .withPeerTimeout(Duration.ofSeconds(10));
        HeartbeatConn a = f.track(HeartbeatConn.wrap(p.client(), fast.withStallTimeout(Duration.ofMillis(300))));
        HeartbeatConn b = f.track(HeartbeatConn.wrap(p.server(), fast)); // heartbeats, never data
        assertThatThrownBy(a::readFrame).isInstanceOfSatisfying(StreamStalledException.class,
                e -> assertThat(e.direction()).isEqualTo(StreamStalledException.Direction.RECEIVE));
        assertThat(a.heartbeatsReceived()).as("the peer was alive").isPositive();

        RecordedEvent e = await("frameconn.Stall", p.client().remoteAddress());
        assertThat(e.getString("direction")).isEqualTo("receive");
        assertThat(e.getDuration("stallTimeout")).isEqualTo(Duration.ofMillis(300));
        b.close();
        a.close();
    }

    @Test
    void unknownHeartbeatLayerTypeIsAProtocolErrorOfThatLayer() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        HeartbeatConn hb = f.track(HeartbeatConn.wrap(p.client(), HeartbeatConfig.defaults()));
        p.server().writeEmptyFrame(0x0200_0000); // bit 25: the heartbeat layer's, undefined
        assertThatThrownBy(hb::readFrame).isInstanceOf(HeartbeatProtocolException.class);

        RecordedEvent e = await("frameconn.ProtocolError", p.client().remoteAddress());
        assertThat(e.getString("layer")).isEqualTo("heartbeat");
        assertThat(e.getString("message")).contains("type=0x02000000");
        hb.close();
    }

    @Test
    void frameOfAnotherTypeInAStreamIsAProtocolErrorOfTheStreamLayer() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        StreamConn receiver = f.track(StreamConn.over(f.track(HeartbeatConn.wrap(p.client(),
                HeartbeatConfig.defaults()))));
        p.server().writeFrame(5, new byte[] {1, 2, 3});
        p.server().writeFrame(6, new byte[] {4});
        try (StreamInput in = receiver.receive(5)) {
            assertThat(in.read(new byte[10])).isEqualTo(3);
            assertThatThrownBy(() -> in.read(new byte[10])).isInstanceOf(StreamProtocolException.class);
        }

        RecordedEvent e = await("frameconn.ProtocolError", p.client().remoteAddress());
        assertThat(e.getString("layer")).isEqualTo("stream");
        assertThat(e.getString("message")).contains("type=0x00000006");
    }
}
