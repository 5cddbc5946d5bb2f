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

    /**
     * The watchdog is one thread per clock for the whole process, and it calls
     * {@code Transport.abort()} of an expired connection itself. A transport
     * whose abort blocks (a TLS wrapper taking a lock that a stuck writer
     * holds, say) thus stops every timeout of every other connection. Found
     * when Lincheck, which parks threads it manages, left the watchdog thread
     * parked: later tests in that JVM saw no idle timeout and no shutdown
     * deadline for minutes (they now run in a JVM of their own).
     */
    @Test
    void aTransportWhoseAbortBlocksDoesNotStopOtherConnectionsTimeouts() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        MemoryTransport[] stuckPair = MemoryTransport.pair(1024);
        dev.frameconn.transport.Transport stuck = new BlockingAbort(stuckPair[0], release);
        MemoryTransport[] healthy = MemoryTransport.pair(1024);
        FrameConnConfig config = FrameConnConfig.defaults().withBufferPool(new BufferPool(6, 16, 4, 1 << 20));
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        try (FrameConn first = FrameConn.over(stuck, config.withIdleTimeout(java.time.Duration.ofMillis(100)));
                FrameConn second = FrameConn.over(healthy[0], config.withIdleTimeout(java.time.Duration.ofMillis(500)))) {
            java.util.concurrent.Future<Frame> firstRead = threads.submit(first::readFrame);
            java.util.concurrent.Future<Frame> secondRead = threads.submit(second::readFrame);
            // the first connection's timeout fires and its abort blocks the watchdog
            Throwable failure = Harness.failure(secondRead, java.time.Duration.ofSeconds(10));
            assertThat(failure).isInstanceOf(dev.frameconn.FrameTimeoutException.class);
            firstRead.cancel(true);
        } finally {
            release.countDown();
            stuckPair[1].close();
            healthy[1].close();
            threads.shutdownNow();
        }
    }

    /** Delegates, except that abort() waits for a latch. */
    private record BlockingAbort(dev.frameconn.transport.Transport delegate,
            java.util.concurrent.CountDownLatch release) implements dev.frameconn.transport.Transport {
        @Override
        public int read(java.nio.ByteBuffer dst) throws java.io.IOException {
            return delegate.read(dst);
        }

        @Override
        public long write(java.nio.ByteBuffer[] srcs, int offset, int length) throws java.io.IOException {
            return delegate.write(srcs, offset, length);
        }

        @Override
        public int write(java.nio.ByteBuffer src) throws java.io.IOException {
            return delegate.write(src);
        }

        @Override
        public void shutdownOutput() throws java.io.IOException {
            delegate.shutdownOutput();
        }

        @Override
        public void close() throws java.io.IOException {
            delegate.close();
        }

        @Override
        public void abort() {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delegate.abort();
        }

        @Override
        public boolean isOpen() {
            return delegate.isOpen();
        }

        @Override
        public java.net.SocketAddress localAddress() {
            return null;
        }

        @Override
        public java.net.SocketAddress remoteAddress() {
            return null;
        }
    }
}
