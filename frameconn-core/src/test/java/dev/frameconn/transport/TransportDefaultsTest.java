package dev.frameconn.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The default methods of {@link Transport}. */
class TransportDefaultsTest {
    /** Takes at most {@code max} bytes per write, like a socket with a nearly full send buffer. */
    private static final class Trickling implements Transport {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int max;

        Trickling(int max) {
            this.max = max;
        }

        @Override
        public int read(ByteBuffer dst) {
            return -1;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(max, src.remaining());
            for (int i = 0; i < n; i++) {
                out.write(src.get());
            }
            return n;
        }

        @Override
        public void shutdownOutput() {}

        @Override
        public void close() {}

        @Override
        public void abort() {}

        @Override
        public boolean isOpen() {
            return true;
        }
    }

    @Test
    void gatheringWriteStopsAtTheFirstPartialWrite() throws Exception {
        Trickling t = new Trickling(3);
        ByteBuffer a = ByteBuffer.wrap(new byte[] {1, 2});
        ByteBuffer b = ByteBuffer.wrap(new byte[] {3, 4, 5, 6});
        ByteBuffer c = ByteBuffer.wrap(new byte[] {7});
        ByteBuffer[] srcs = {ByteBuffer.allocate(0), a, ByteBuffer.allocate(0), b, c};

        assertThat(t.write(srcs, 1, 4)).isEqualTo(5); // all of a, 3 of b, nothing of c
        assertThat(t.out.toByteArray()).containsExactly(1, 2, 3, 4, 5);
        assertThat(b.remaining()).isEqualTo(1);
        assertThat(c.remaining()).isEqualTo(1);

        assertThat(t.write(srcs, 0, 5)).isEqualTo(2); // empty buffers are passed over
        assertThat(t.out.toByteArray()).containsExactly(1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void addressesDefaultToUnknown() {
        Trickling t = new Trickling(1);
        assertThat(t.localAddress()).isNull();
        assertThat(t.remoteAddress()).isNull();
    }
}
