package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Outbound} with {@link HandoffPolicy} on the connection's clock: a
 * caller whose writes take time and come back to back hands the writing to the
 * background flusher; a flush waiting for the flusher's write returns while the
 * flusher lingers for more; a flusher whose writes are cheap lets go, and the
 * caller writes itself again. The manual clock moves 1 ms in each of the
 * caller's own writes and never otherwise, so each decision is known in
 * advance; the flusher's linger, timed on that clock, lasts until it is given
 * something to do.
 */
@Timeout(10)
class OutboundFlusherTest {
    private static final String FLUSHER = "frameconn-flusher";

    @SuppressWarnings("ThreadPriorityCheck") // yield lets the flusher run on a busy 2-core machine
    private static void awaitCalls(WritePathRig rig, int calls) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (rig.wire.callThreads().size() < calls) {
            assertThat(System.nanoTime()).as("write calls made: %s", rig.wire.callThreads()).isLessThan(end);
            Thread.yield();
        }
    }

    @Test
    void backToBackSlowWritesHandOffAndCheapFlusherWritesHandBack() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            rig.wire.onCall(() -> {
                if (!Thread.currentThread().getName().equals(FLUSHER)) {
                    rig.clock.advance(Duration.ofMillis(1));
                }
            });
            String me = Thread.currentThread().getName();
            for (int i = 0; i < 3; i++) {
                rig.conn.writeFrame(1, new byte[1]); // the streak builds: the caller writes
            }
            rig.wire.closeGate();
            rig.conn.writeFrame(2, new byte[1]); // the 4th back to back: handed off, returns at once
            rig.wire.awaitArrived(4);
            var flush = rig.start(() -> {
                rig.conn.flush();
                return null;
            });
            WritePathRig.awaitsChange(flush);
            rig.wire.pass(1);
            flush.get(); // the flusher wrote the frame and lingers: the flush is told
            assertThat(rig.wire.callThreads()).containsExactly(me, me, me, FLUSHER);

            rig.wire.openGate();
            // the flusher's writes take no time on the clock: after 8 such writes it lets go
            for (int i = 1; i < HandoffPolicy.CHEAP_WRITES_TO_QUIT; i++) {
                rig.conn.writeFrame(3, new byte[1]);
                awaitCalls(rig, 4 + i);
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (rig.pool.outstanding() != 0) { // the pen's buffers go back when it lets go
                assertThat(System.nanoTime()).as("the flusher let go").isLessThan(end);
                Thread.sleep(1);
            }
            rig.conn.writeFrame(4, new byte[1]); // back to back still, but held off: the caller writes
            List<String> threads = rig.wire.callThreads();
            assertThat(threads).hasSize(4 + HandoffPolicy.CHEAP_WRITES_TO_QUIT);
            assertThat(threads.subList(4, threads.size() - 1)).containsOnly(FLUSHER);
            assertThat(threads.get(threads.size() - 1)).isEqualTo(me);
        }
    }
}
