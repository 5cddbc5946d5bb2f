package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.heartbeat.ManualTicker;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kind of write call ({@link WireWriter}'s plain, gathering and
 * large-payload writes) runs inside the write idle timeout: a call that the
 * transport never completes fails with {@link FrameTimeoutException} once the
 * connection's clock has passed the timeout. The clock is a manual one, so
 * nothing waits for real time.
 */
@Timeout(10)
class WriteIdleTimeoutTest {
    @ParameterizedTest
    @ValueSource(strings = {"small", "large", "batch"})
    void aWriteThatNeverCompletesTimesOutOnTheConnectionsClock(String kind) throws Exception {
        BufferPool pool = new BufferPool(6, 24, 16, 16L << 20);
        ManualTicker clock = new ManualTicker();
        ScriptedTransport wire = new ScriptedTransport();
        FrameConn conn = FrameConn.over(wire, FrameConnConfig.defaults()
                .withBufferPool(pool).withTicker(clock).withIdleTimeout(Duration.ofSeconds(1)));
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            wire.closeGate();
            Future<?> writer = threads.submit(() -> {
                switch (kind) {
                    case "small" -> conn.writeFrame(1, new byte[10]);
                    case "large" -> conn.writeFrame(1, new byte[Outbound.COPY_THRESHOLD + 1]);
                    default -> conn.writeBatch(new FrameBatch().add(1, ByteBuffer.allocate(10)));
                }
                return null;
            });
            wire.awaitArrived(1);
            clock.advance(Duration.ofSeconds(2));
            assertThatThrownBy(() -> writer.get(5, TimeUnit.SECONDS))
                    .cause().isInstanceOf(FrameTimeoutException.class);
        } finally {
            conn.close();
            threads.shutdownNow();
            assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(pool.outstanding()).isZero();
    }
}
