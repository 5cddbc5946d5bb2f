package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.FrameConn;
import dev.frameconn.internal.TimerQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many heartbeat connections over real loopback sockets under one manual
 * clock: pacing is a timer in the clock's one timer queue, so an idle
 * connection keeps only its reader thread (a fresh one after each heartbeat), and every connection still sends
 * its heartbeat when the interval is up, not before, round after round.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeartbeatPacingScaleTest {
    private static final int PAIRS = 100; // 200 heartbeat connections
    private static final int ROUNDS = 3; // 15 s: beyond the 10 s peer timeout, so heartbeats keep them alive
    private final ManualTicker clock = new ManualTicker();
    private final Loopback net = new Loopback(clock);

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    @Test
    void manyIdleConnectionsKeepOnlyTheirReadersAndHeartbeatOnTime() throws Exception {
        List<HeartbeatConn> conns = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            FrameConn[] pair = net.framePair();
            conns.add(net.wrap(pair[0], net.heartbeatConfig()));
            conns.add(net.wrap(pair[1], net.heartbeatConfig()));
        }
        int n = conns.size();
        // one thread per connection, its reader: no pacer, no idle sender
        assertThat(net.threads.threads()).hasSize(n);
        assertThat(TimerQueue.of(clock).size()).as("a pacing timer per connection").isGreaterThanOrEqualTo(n);

        for (int round = 1; round <= ROUNDS; round++) {
            int r = round;
            clock.advance(Duration.ofMillis(4_900));
            Await.stays("no heartbeat before the interval is up in round " + r,
                    () -> conns.stream().allMatch(c -> c.heartbeatsSent() == r - 1), Duration.ofMillis(50));
            clock.advance(Duration.ofMillis(100)); // exactly the interval since the last heartbeat
            Await.until("every connection sent heartbeat " + r,
                    () -> conns.stream().allMatch(c -> c.heartbeatsSent() == r));
            Await.until("every connection received heartbeat " + r,
                    () -> conns.stream().allMatch(c -> c.heartbeatsReceived() == r));
            // the short-lived heartbeat threads are gone again: readers only
            Await.until("only the readers left after round " + r, () -> net.threads.alive().size() == n);
        }
        assertThat(conns).allMatch(HeartbeatConn::isOpen);
        // a first reader per connection; per round and connection, one heartbeat writer and, as
        // the reader hands on after the heartbeat it received, one successor reader
        assertThat(net.threads.threads()).hasSize(n + 2 * n * ROUNDS);
        for (HeartbeatConn c : conns) {
            c.close();
        }
        assertThat(conns).allMatch(HeartbeatConn::threadsEnded);
        Await.until("every pacing timer closed", () -> TimerQueue.of(clock).size() == 0);
    }
}
