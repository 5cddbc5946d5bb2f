package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.transport.Transport;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A transport whose write throws an unchecked exception (a bug in it) breaks
 * the connection like a write error: later writes and flushes fail instead of
 * being staged behind a pen nobody holds, and the buffers go back to the pool.
 */
class UnexpectedWriteFailureTest {
    private final BufferPool pool = new BufferPool(6, 24, 16, 16L << 20);

    /** Writes throw {@link IllegalStateException}. */
    private static final class BuggyTransport implements Transport {
        private volatile boolean open = true;

        @Override
        public int read(ByteBuffer dst) throws ClosedChannelException {
            throw new ClosedChannelException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new IllegalStateException("transport bug");
        }

        @Override
        public void shutdownOutput() {}

        @Override
        public void close() {
            open = false;
        }

        @Override
        public void abort() {
            open = false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 100, 100_000, -1})
    void anUncheckedExceptionFromTheTransportBreaksTheConnection(int payloadLength) throws Exception {
        FrameConn conn = FrameConn.over(new BuggyTransport(), FrameConnConfig.defaults().withBufferPool(pool));
        try {
            if (payloadLength < 0) {
                FrameBatch batch = new FrameBatch().add(3, ByteBuffer.allocate(10));
                assertThatThrownBy(() -> conn.writeBatch(batch)).isInstanceOf(IllegalStateException.class);
            } else {
                ByteBuffer payload = ByteBuffer.allocate(payloadLength);
                assertThatThrownBy(() -> conn.writeFrame(3, payload)).isInstanceOf(IllegalStateException.class);
            }
            assertThatThrownBy(() -> conn.writeFrame(3, new byte[10]))
                    .isInstanceOf(ConnectionBrokenException.class)
                    .hasRootCauseMessage("transport bug");
            assertThatThrownBy(() -> conn.writeFrame(3, new byte[10_000]))
                    .isInstanceOf(ConnectionBrokenException.class);
            // the failed frame was accepted but never written: flush says so instead of waiting for ever
            assertThatThrownBy(conn::flush).isInstanceOf(ConnectionBrokenException.class);
        } finally {
            conn.close();
        }
        assertThat(pool.outstanding()).isZero();
    }
}
