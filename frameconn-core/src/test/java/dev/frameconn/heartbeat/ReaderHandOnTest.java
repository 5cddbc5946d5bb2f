package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A virtual reader hands the reading on to a fresh thread after each
 * heartbeat and ends (so that an idle connection keeps one stack chunk, not
 * two); a platform reader reads on itself. Over real loopback sockets, the
 * clock moved by hand.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReaderHandOnTest {
    private final ManualTicker clock = new ManualTicker();
    private final Loopback net = new Loopback(clock);

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    @Test
    void aVirtualReaderEndsAfterAHeartbeatAndItsSuccessorReadsOn() throws Exception {
        Recording made = new Recording(Thread.ofVirtual().name("relay-", 0).factory());
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withThreadFactory(made));
        HeartbeatConn b = net.wrap(pair[1], net.heartbeatConfig());
        Thread first = made.threads.get(0);

        for (int round = 1; round <= 2; round++) {
            int r = round;
            clock.advance(HeartbeatConfig.DEFAULT_SEND_INTERVAL);
            Await.until("heartbeat " + r + " received", () -> a.heartbeatsReceived() == r);
            // one thread alive again: the newest reader (the heartbeat writer of a ends too)
            Await.until("round " + r + ": only the successor left",
                    () -> made.alive().size() == 1 && made.alive().get(0) != first);
        }
        assertThat(first.isAlive()).isFalse();
        Thread reader = made.alive().get(0);
        // readers made: the first and one successor per heartbeat; the rest wrote a's heartbeats
        assertThat(made.threads).hasSize(1 + 2 + (int) a.heartbeatsSent());

        b.writeFrame(7, ByteBuffer.wrap("after".getBytes(StandardCharsets.US_ASCII)));
        b.flush();
        try (Frame f = a.readFrame()) {
            assertThat(f.type()).isEqualTo(7);
            assertThat(StandardCharsets.US_ASCII.decode(f.payload()).toString()).isEqualTo("after");
        }
        a.close();
        assertThat(reader.isAlive()).isFalse();
        assertThat(made.alive()).isEmpty();
        assertThat(a.threadsEnded()).isTrue();
    }

    @Test
    void aPlatformReaderReadsOnItself() throws Exception {
        Recording made = new Recording(Thread.ofPlatform().daemon().name("platform-reader-", 0).factory());
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig().withThreadFactory(made));
        net.wrap(pair[1], net.heartbeatConfig());
        Thread first = made.threads.get(0);

        clock.advance(HeartbeatConfig.DEFAULT_SEND_INTERVAL);
        Await.until("heartbeat received", () -> a.heartbeatsReceived() == 1);
        Await.until("a's heartbeat written", () -> a.heartbeatsSent() == 1);
        Await.until("only the reader left", () -> made.alive().size() == 1);
        assertThat(made.alive()).containsExactly(first);
        // the first reader and a's heartbeat writer: no successor
        assertThat(made.threads).hasSize(2);
        a.close();
        assertThat(first.isAlive()).isFalse();
    }

    /** Records the threads a factory made. */
    private static final class Recording implements ThreadFactory {
        private final ThreadFactory delegate;
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        Recording(ThreadFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = delegate.newThread(r);
            threads.add(t);
            return t;
        }

        List<Thread> alive() {
            return threads.stream().filter(Thread::isAlive).toList();
        }
    }
}
