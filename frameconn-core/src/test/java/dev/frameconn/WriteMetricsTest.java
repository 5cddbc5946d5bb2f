package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.metrics.InMemoryMetrics;
import dev.frameconn.testkit.Fixtures;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The write path reports every frame it writes to the metrics, whichever way it
 * goes out: a large frame written directly, a small one staged, a batch. A fast,
 * focused test for mutation testing (docs/mutation.md): one loopback pair.
 */
@Timeout(30)
class WriteMetricsTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void aLargeFrameAStagedFrameAndABatchAreEachCountedWithTheirLength() throws Exception {
        InMemoryMetrics metrics = new InMemoryMetrics();
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP, f.config().withMetrics(metrics), f.config());
        int large = Outbound.COPY_THRESHOLD + 1;
        p.client().writeFrame(1, new byte[large]);
        p.client().writeFrame(2, new byte[3]);
        p.client().writeBatch(new FrameBatch()
                .add(3, ByteBuffer.wrap(new byte[5]))
                .add(4, ByteBuffer.wrap(new byte[7])));
        p.client().flush();
        for (int type = 1; type <= 4; type++) {
            try (Frame frame = p.server().readFrame()) {
                assertThat(frame.type()).isEqualTo(type);
            }
        }
        assertThat(metrics.framesWritten()).isEqualTo(4);
        assertThat(metrics.bytesWritten()).isEqualTo(large + 3 + 5 + 7);
    }
}
