package dev.frameconn.bench;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameServer;
import dev.frameconn.heartbeat.HeartbeatConfig;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.stream.StreamConn;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The transfer workload's "stream-lib" row: the stream layer alone, in this
 * JVM, over loopback TCP, on the paths {@code frameconn send/recv} use:
 * {@link StreamConn#send(int, ReadableByteChannel)} over {@link HeartbeatConn}
 * over {@link FrameConn} on one thread, {@link StreamConn#receive(int,
 * WritableByteChannel)} on another; default configurations but for the
 * heartbeat and stream threads, which are platform threads as in the CLI (and
 * as the frame layer's one-way row it is printed beside runs its sender and
 * receiver).
 *
 * <p>What it measures, exactly: the source is a channel over one 1 MiB direct
 * block of random bytes, copied out again and again into the stream layer's
 * chunks (one memory copy per byte, as a file read from the page cache costs)
 * until the file size is reached; the sink is a channel that counts and drops
 * each payload. No file, no hashing, no process start. The clock runs from the start of the sender thread to the
 * receiver reading the stream's end; CPU is this JVM's process CPU time over
 * the same span (both ends, heartbeat threads and GC included).
 */
final class StreamLibTransfer {
    /** The stream's frame type: an application type, as the CLI's data type. */
    private static final int DATA_TYPE = 1;
    private static final int BLOCK = 1 << 20;

    /** Platform daemon threads, as {@code frameconn send/recv} use for the heartbeat and stream layers. */
    private static final ThreadFactory PLATFORM =
            Thread.ofPlatform().daemon().name("stream-lib-heartbeat-", 0).factory();

    private StreamLibTransfer() {}

    /** Wall and CPU time of one transfer. */
    record Result(long wallNanos, long cpuNanos) {}

    /**
     * Moves {@code bytes} once.
     *
     * @throws BenchmarkFailure if the receiver got another count than was sent
     */
    static Result run(long bytes) throws Exception {
        byte[] block = new byte[BLOCK];
        new SplittableRandom(13).nextBytes(block);
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            FrameConn client = FrameConn.connect(server.localAddress());
            FrameConn accepted;
            try {
                accepted = server.accept();
            } catch (Exception e) {
                client.close();
                throw e;
            }
            HeartbeatConfig heartbeat = HeartbeatConfig.defaults().withThreadFactory(PLATFORM);
            StreamConn tx = StreamConn.over(HeartbeatConn.wrap(client, heartbeat));
            StreamConn rx = StreamConn.over(HeartbeatConn.wrap(accepted, heartbeat));
            AtomicLong sent = new AtomicLong(-1);
            AtomicReference<Throwable> sendFailure = new AtomicReference<>();
            try {
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                Thread sender = Thread.ofPlatform().name("stream-lib-send").start(() -> {
                    try {
                        sent.set(tx.send(DATA_TYPE, new RepeatingChannel(block, bytes)));
                    } catch (Throwable t) {
                        sendFailure.set(t);
                        tx.close(); // the receiver's read then fails instead of waiting for more
                    }
                });
                long received = rx.receive(DATA_TYPE, new DiscardingChannel());
                long wall = System.nanoTime() - t0;
                long cpu = processCpuNanos() - cpu0;
                Bench.join(sender, "stream-lib");
                if (sendFailure.get() != null) {
                    throw new BenchmarkFailure("stream-lib: the sender failed: " + sendFailure.get(),
                            sendFailure.get());
                }
                if (sent.get() != bytes || received != bytes) {
                    throw new BenchmarkFailure("stream-lib: sent " + sent.get() + " bytes, received " + received
                            + ", expected " + bytes);
                }
                return new Result(wall, cpu);
            } finally {
                Thread closer = Thread.ofPlatform().start(tx::shutdown); // both ends at once: each waits for the other
                rx.shutdown();
                closer.join();
                tx.close();
                rx.close();
            }
        }
    }

    /** CPU time of this whole JVM, all threads, in nanoseconds. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** {@code total} bytes read from one block, over and over: a source that costs one copy per byte. */
    private static final class RepeatingChannel implements ReadableByteChannel {
        private final ByteBuffer block;
        private long left;
        private boolean open = true;

        RepeatingChannel(byte[] bytes, long total) {
            this.block = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            this.left = total;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (left == 0) {
                return -1;
            }
            if (!block.hasRemaining()) {
                block.rewind();
            }
            int n = (int) Math.min(Math.min(dst.remaining(), left), block.remaining());
            dst.put(dst.position(), block, block.position(), n);
            dst.position(dst.position() + n);
            block.position(block.position() + n);
            left -= n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

    /** A sink that takes every byte and keeps none. */
    private static final class DiscardingChannel implements WritableByteChannel {
        private boolean open = true;

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
