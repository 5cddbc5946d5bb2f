package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The write side's staging buffers go back to the pool as soon as the pen is
 * let go (a write done, a write failed, the RST sent), not only when the
 * connection closes: the connection is still open at every check.
 */
@Timeout(10)
class OutboundReleaseTest {
    /** Writes one frame of {@code kind}: a small one (staged), a large one (gathered), or a batch. */
    private static void write(FrameConn conn, String kind) throws IOException {
        switch (kind) {
            case "small" -> conn.writeFrame(1, new byte[10]);
            case "large" -> conn.writeFrame(1, new byte[Outbound.COPY_THRESHOLD + 1]);
            case "batch" -> conn.writeBatch(new FrameBatch().add(1, ByteBuffer.allocate(10)));
            default -> throw new IllegalArgumentException("kind=" + kind);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large", "batch"})
    void aWriteOnAnIdleConnectionGivesTheBuffersBackAsItReturns(String kind) throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            write(rig.conn, kind);
            assertThat(rig.pool.outstanding()).isZero();
            write(rig.conn, kind);
            assertThat(rig.pool.outstanding()).isZero();
            assertThat(rig.conn.isOpen()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "large", "batch"})
    void aFailedWriteGivesTheBuffersBackWithTheConnectionStillOpen(String kind) throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            rig.wire.failNext(new IOException("boom"));
            assertThatThrownBy(() -> write(rig.conn, kind)).hasMessageContaining("boom");
            assertThat(rig.conn.isOpen()).isTrue();
            assertThat(rig.pool.outstanding()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theRstGivesTheBuffersBackBeforeTheHalfClose(boolean wroteBefore) throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            if (wroteBefore) {
                write(rig.conn, "small");
            }
            AtomicLong atHalfClose = new AtomicLong(-1);
            rig.wire.onShutdownOutput(() -> atHalfClose.set(rig.pool.outstanding()));
            ShutdownResult result = rig.conn.shutdown();
            assertThat(result.clean()).as("%s", result).isTrue();
            assertThat(atHalfClose.get()).isZero();
            rig.start(() -> { // the RST's writer let go of the write side's lock too
                rig.conn.flush();
                return null;
            }).get();
        }
    }
}
