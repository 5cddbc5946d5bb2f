package dev.frameconn;

import static dev.frameconn.TestFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.testkit.Fixtures;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10: an idle connection holds no pooled (direct) read buffer. The read
 * buffer is taken from the pool when a frame needs it and given back once the
 * frame is complete with nothing buffered behind it. Over real TCP, with a raw
 * peer, so that the connection's pool ({@link Fixtures#pool}) serves nobody else.
 */
@Timeout(60)
class ReadBufferOnDemandTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void anIdleReaderHoldsNoPooledBufferAndAFrameGivesItsBufferBack() throws Exception {
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        FrameConn conn = peer.conn();

        // larger than the probe, so that reading it needs the pooled read buffer
        byte[] first = frame(1, Fixtures.pattern(1000, 1));
        peer.send(first);
        try (Frame frame = conn.readFrame()) {
            assertThat(frame.toByteArray()).containsExactly(Arrays.copyOfRange(first, 8, first.length));
        }
        assertThat(f.pool.outstanding()).as("pooled buffers after a complete frame, nothing buffered").isZero();

        Future<Frame> next = f.submitAndAwaitBlocked(conn::readFrame);
        assertThat(f.pool.outstanding()).as("pooled buffers held by a reader parked with nothing buffered").isZero();

        // a partial frame: header and 100 of 3000 payload bytes; the reader holds the payload and the read buffer
        byte[] second = frame(2, Fixtures.pattern(3000, 2));
        peer.send(Arrays.copyOfRange(second, 0, 108));
        awaitValue(f.pool::outstanding, 2, "payload and read buffer of a partly read frame");
        assertThat(next).isNotDone();

        peer.send(Arrays.copyOfRange(second, 108, second.length));
        try (Frame frame = Fixtures.get(next)) {
            assertThat(frame.type()).isEqualTo(2);
            assertThat(frame.toByteArray()).containsExactly(Arrays.copyOfRange(second, 8, second.length));
        }
        assertThat(f.pool.outstanding()).as("pooled buffers once that frame completed").isZero();

        // two frames in one segment: what is read ahead of the second stays readable
        byte[] small = frame(3, Fixtures.pattern(40, 3));
        byte[] large = frame(4, Fixtures.pattern(5000, 4));
        byte[] both = Arrays.copyOf(small, small.length + large.length);
        System.arraycopy(large, 0, both, small.length, large.length);
        peer.send(both);
        try (Frame a = conn.readFrame(); Frame b = conn.readFrame()) {
            assertThat(a.toByteArray()).containsExactly(Arrays.copyOfRange(small, 8, small.length));
            assertThat(b.toByteArray()).containsExactly(Arrays.copyOfRange(large, 8, large.length));
        }
        assertThat(f.pool.outstanding()).isZero();
    }

    /** Waits (bounded) until {@code value} reads {@code expected}; the reader works on its own thread. */
    private static void awaitValue(LongSupplier value, long expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (value.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(value.getAsLong()).as(what).isEqualTo(expected);
    }
}
