package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The send stall clock counts only while a write or flush is under way: time
 * between them, however long, is not a stall. Over a real loopback pair on a
 * manual clock moved in big steps, the pacer's looks shown by heartbeats (as
 * in {@link ReceiveStallTest}); the blocked writer that does stall is
 * {@link HeartbeatConnTest}'s.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SendStallTest {
    private final ManualTicker clock = new ManualTicker();
    private final Loopback net = new Loopback(clock);
    private final AtomicInteger stalls = new AtomicInteger();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    private void step(HeartbeatConn a, long seconds) {
        long sent = a.heartbeatsSent();
        clock.advance(Duration.ofSeconds(seconds));
        Await.until("the pacer looked after a step of " + seconds + " s",
                () -> a.heartbeatsSent() > sent || stalls.get() > 0);
    }

    @Test
    void timeBetweenWritesAndFlushesIsNotCounted() throws Exception {
        FrameConn[] pair = net.framePair();
        HeartbeatConn a = net.wrap(pair[0], net.heartbeatConfig()
                .withTiming(Duration.ofSeconds(1), Duration.ofSeconds(120))
                .withStallTimeout(Duration.ofSeconds(30))
                .withMetrics(new HeartbeatMetrics() {
                    @Override
                    public void stalled(StreamStalledException.Direction direction) {
                        stalls.incrementAndGet();
                    }
                }));
        FrameConn raw = pair[1];
        a.writeFrame(1, new byte[] {1});
        step(a, 40);
        assertThat(stalls).as("after a payload write").hasValue(0);
        a.writeEmptyFrame(1);
        step(a, 40);
        assertThat(stalls).as("after an empty write").hasValue(0);
        a.flush();
        step(a, 35);
        assertThat(stalls).as("after a flush").hasValue(0);
        a.writeFrame(2, new byte[] {2});
        a.flush();
        step(a, 1);
        assertThat(stalls).hasValue(0);
        assertThat(a.isOpen()).isTrue();
        // everything arrived, heartbeats in between
        int[] types = new int[3];
        int n = 0;
        while (n < 3) {
            try (Frame f = raw.readFrame()) {
                if (f.type() != HeartbeatConn.HEARTBEAT) {
                    types[n++] = f.type();
                }
            }
        }
        assertThat(types).containsExactly(1, 1, 2);
    }
}
