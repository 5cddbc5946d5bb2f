package dev.frameconn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.ShutdownResult;
import dev.frameconn.buffer.BufferPool;
import dev.frameconn.transport.Transport;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of the connection's state machine with Lincheck: concurrent
 * {@code readFrame}, {@code writeFrame} and {@code shutdown} calls must be
 * linearizable (each result is one that some sequential order of the same
 * calls gives), and once shut down the connection holds no pooled buffer.
 *
 * <p>Lincheck cannot model socket I/O, so the connection runs over
 * {@link ModelPeer}, an in-memory transport that never blocks: the peer sends
 * an endless stream of empty frames until our FIN arrives, then, at the next
 * frame boundary, its own RST and end of stream (as a peer that read our RST
 * and shut down does), and swallows what we write.
 * {@code close()} is left out on purpose: it cuts a shutdown in progress short,
 * which by design has no sequential equivalent; {@link ShutdownRaceTest}
 * covers it over TCP.
 */
// model checking takes 15..45 s on a busy 2-core machine: more than the module's 60 s default allows for
@Timeout(value = 10, unit = TimeUnit.MINUTES)
public class ConnectionStateLincheckTest {
    /**
     * Above the 8 KiB copy threshold: such frames are written by their caller
     * under the pen. Small frames may be handed to a background flusher (a
     * virtual thread started inside the call), which Lincheck's model checker
     * does not schedule, so it would report a false hang; the small-frame path
     * is covered over TCP by {@link ShutdownRaceTest}.
     */
    private static final int WRITE_LENGTH = 9000;

    /**
     * A connection outside the model whose deadline, a day away, keeps the clock's
     * timer thread alive for the whole check. Without it the first timer armed
     * inside an operation (the shutdown's deadline) would start that thread there,
     * and Lincheck would take it for a thread of the test and report the model as
     * hung while it waits for its next timer.
     */
    private static final FrameConn TIMER_KEEPER = keepTimerThreadAlive();

    private static FrameConn keepTimerThreadAlive() {
        FrameConn keeper = FrameConn.over(new ModelPeer(), FrameConnConfig.defaults().withIdleTimeout(Duration.ZERO));
        keeper.setDeadline(Duration.ofDays(1));
        return keeper;
    }

    private final BufferPool pool = new BufferPool(6, 16, 4, 1 << 20);
    private final byte[] payload = new byte[WRITE_LENGTH];
    private final FrameConn conn = FrameConn.over(new ModelPeer(), FrameConnConfig.defaults()
            .withBufferPool(pool).withIdleTimeout(Duration.ZERO).withShutdownTimeout(Duration.ofDays(1)));

    @Operation
    public String read() {
        try (Frame f = conn.readFrame()) {
            return "frame type=" + f.type() + " length=" + f.length();
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }

    @Operation
    public String write() {
        try {
            conn.writeFrame(2, payload);
            return "written";
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }

    @Operation
    public String shutdown() {
        ShutdownResult r = conn.shutdown();
        return r.clean() ? "clean" : "failed at " + r.failedStep() + ": " + r.error();
    }

    @Validate
    public void buffersGivenBackOnceShutDown() {
        if (!conn.isOpen() && pool.outstanding() != 0) {
            throw new IllegalStateException("connection shut down but buffers outstanding: " + pool);
        }
    }

    @Test
    void modelCheck() {
        assertThat(TIMER_KEEPER.isOpen()).isTrue();
        new ModelCheckingOptions()
                .iterations(Integer.getInteger("lincheck.iterations", 3))
                .invocationsPerIteration(Integer.getInteger("lincheck.invocations", 100))
                .threads(3)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }

    /** The peer as a never-blocking transport; see the class comment. */
    static final class ModelPeer implements Transport {
        private static final byte[] EMPTY_FRAME = FrameHeader.toBytes(1, 0);
        private static final byte[] RST_FRAME = FrameHeader.toBytes(FrameHeader.RST, 0);
        private long served;
        private int rstSent;
        private boolean outputShut;
        private boolean closed;

        @Override
        public synchronized int read(ByteBuffer dst) throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            int n = 0;
            while (dst.hasRemaining() && n < 3 * FrameHeader.LENGTH) {
                int at = (int) (served % FrameHeader.LENGTH);
                if (at == 0 && outputShut) {
                    // at a frame boundary after our FIN: the peer's RST, then its end of stream
                    if (rstSent == FrameHeader.LENGTH) {
                        return n == 0 ? -1 : n;
                    }
                    dst.put(RST_FRAME[rstSent++]);
                    n++;
                    continue;
                }
                dst.put(EMPTY_FRAME[at]);
                served++;
                n++;
            }
            return n;
        }

        @Override
        public synchronized int write(ByteBuffer src) throws IOException {
            if (closed || outputShut) {
                throw new ClosedChannelException();
            }
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public synchronized void shutdownOutput() throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            outputShut = true;
        }

        @Override
        public synchronized void close() {
            closed = true;
        }

        @Override
        public synchronized void abort() {
            closed = true;
        }

        @Override
        public synchronized boolean isOpen() {
            return !closed;
        }
    }
}
