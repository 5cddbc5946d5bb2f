package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FrameConn#flush()} waits for exactly the frames accepted before it:
 * it waits for a write in progress that carries them, and it does not report a
 * failure of a later write (here the RST's) when every one of them was written.
 */
@Timeout(10)
class OutboundFlushTest {
    @ParameterizedTest
    @ValueSource(strings = {"small", "large", "batch"})
    void aFailedRstAfterEveryFrameWasWrittenIsNoFlushError(String kind) throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            switch (kind) {
                case "small" -> rig.conn.writeFrame(1, new byte[10]);
                case "large" -> rig.conn.writeFrame(1, new byte[Outbound.COPY_THRESHOLD + 1]);
                default -> rig.conn.writeBatch(new FrameBatch()
                        .add(1, ByteBuffer.allocate(10))
                        .add(2, ByteBuffer.allocate(Outbound.COPY_THRESHOLD + 1)));
            }
            rig.wire.failNext(new IOException("boom"));
            ShutdownResult result = rig.conn.shutdown();
            assertThat(result.failedStep()).as("%s", result).isEqualTo(dev.frameconn.metrics.ShutdownStep.WRITE_FRAME);
            rig.conn.flush(); // the frames accepted before it were all written
        }
    }

    @Test
    void aFlushWaitsForTheWriteThatCarriesItsFrames() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            rig.wire.closeGate();
            var holder = rig.start(() -> {
                rig.conn.writeFrame(1, new byte[Outbound.COPY_THRESHOLD + 1]);
                return null;
            });
            rig.wire.awaitArrived(1);
            rig.conn.writeFrame(2, new byte[5]); // staged behind the holder's write: returns at once
            var flush = rig.start(() -> {
                rig.conn.flush();
                return null;
            });
            WritePathRig.awaitsChange(flush);
            rig.wire.pass(1); // the holder's own frame; the staged one is next
            rig.wire.awaitArrived(2);
            WritePathRig.awaitsChange(flush);
            assertThat(flush.future().isDone()).as("flush returned before the staged frame was written").isFalse();
            rig.wire.pass(1);
            flush.get();
            holder.get();
            assertThat(rig.wire.callSizes()).hasSize(2);
        }
    }

    @Test
    void theFailureOfAWriteCarryingAStagedFrameSurfacesOnTheStagersNextCallAndOnFlush() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            rig.wire.closeGate();
            var holder = rig.start(() -> {
                rig.conn.writeFrame(1, new byte[1]);
                return null;
            });
            rig.wire.awaitArrived(1);
            rig.conn.writeFrame(2, new byte[5]); // staged: returns at once
            rig.wire.pass(1);
            rig.wire.awaitArrived(2); // the holder's write of the staged frame
            rig.wire.failNext(new IOException("boom"));
            rig.wire.pass(1);
            assertThatThrownBy(holder::get).hasRootCauseMessage("boom");
            assertThatThrownBy(rig.conn::flush).isInstanceOf(ConnectionBrokenException.class)
                    .hasRootCauseMessage("boom");
            assertThatThrownBy(() -> rig.conn.writeFrame(3, new byte[1])).isInstanceOf(ConnectionBrokenException.class);
            assertThatThrownBy(() -> rig.conn.writeBatch(new FrameBatch().add(3, ByteBuffer.allocate(1))))
                    .isInstanceOf(ConnectionBrokenException.class);
            assertThat(rig.pool.outstanding()).isZero();
        }
    }

    @Test
    void aFlushOnAnIdleConnectionReturnsAtOnce() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            rig.conn.flush();
            rig.conn.writeFrame(1, new byte[3]);
            rig.conn.flush();
            assertThat(rig.wire.written()).hasSize(8 + 3);
        }
    }
}
