package dev.frameconn.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.TruncatedFrameException;
import dev.frameconn.buffer.BufferPool;
import dev.frameconn.wire.FrameHeader;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Minimal reproductions of defects that the fault and fuzz tests of this
 * module found in frameconn-core, kept as regression tests now that they are
 * fixed: an RST payload cut short in its skipped part reported the counts of
 * that part (found by Jazzer); a second {@code close()} of a frame whose object
 * had been recycled for the next read closed that next frame (reuse is now
 * opt-in, {@code FrameConnConfig.reuseFrames}, and off by default).
 */
@ExtendWith(LeakCheckExtension.class)
class CoreRegressionTest {

    @Test
    void rstCutShortInItsSkippedPartReportsCountsOfTheWholePayload() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(FrameHeader.toBytes(FrameHeader.RST, 600));
        stream.writeBytes(new byte[452]);
        BufferPool pool = new BufferPool(6, 16, 4, 1 << 20);
        try (FrameConn conn = FrameConn.over(ScriptedTransport.of(List.of(stream.toByteArray())),
                FrameConnConfig.defaults().withBufferPool(pool))) {
            assertThatThrownBy(conn::readFrame).isInstanceOfSatisfying(TruncatedFrameException.class, e -> {
                assertThat(e.received()).as(e.getMessage()).isEqualTo(452);
                assertThat(e.expected()).as(e.getMessage()).isEqualTo(600);
            });
        }
    }

    @Test
    void closingAFrameTwiceDoesNotCloseTheNextFrame() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(FrameHeader.toBytes(1, 3));
        stream.writeBytes(new byte[] {1, 2, 3});
        stream.writeBytes(FrameHeader.toBytes(2, 3));
        stream.writeBytes(new byte[] {4, 5, 6});
        BufferPool pool = new BufferPool(6, 16, 4, 1 << 20);
        try (FrameConn conn = FrameConn.over(ScriptedTransport.of(List.of(stream.toByteArray())),
                FrameConnConfig.defaults().withBufferPool(pool))) {
            Frame first = conn.readFrame();
            first.close();
            try (Frame second = conn.readFrame()) {
                first.close(); // "harmless", says the Javadoc
                assertThat(second.isOpen()).as("the second frame after a second close() of the first").isTrue();
                assertThat(second.toByteArray()).containsExactly(4, 5, 6);
            }
        }
    }
}
