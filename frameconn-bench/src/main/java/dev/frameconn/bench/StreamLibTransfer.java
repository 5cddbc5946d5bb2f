package dev.frameconn.bench;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameServer;
import dev.frameconn.heartbeat.HeartbeatConfig;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.stream.StreamConn;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The transfer workload's "stream-lib" row: the stream layer alone, in this
 * JVM, over loopback TCP. {@link StreamConn#send(int, InputStream)} over
 * {@link HeartbeatConn} over {@link FrameConn} (default configurations, as the
 * CLI uses them) on one thread, {@link StreamConn#receiveChannel(int)} read
 * into a 1 MiB direct buffer and discarded on another.
 *
 * <p>What it measures, exactly: the source is one 1 MiB block of random bytes
 * in memory, copied out again and again ({@code System.arraycopy} into the
 * stream layer's chunk, as a file read from the page cache would copy) until
 * the file size is reached; the sink counts and drops. No file, no hashing,
 * no process start. The clock runs from the start of the sender thread to the
 * receiver reading the stream's end; CPU is this JVM's process CPU time over
 * the same span (both ends, heartbeat threads and GC included).
 */
final class StreamLibTransfer {
    /** The stream's frame type: an application type, as the CLI's data type. */
    private static final int DATA_TYPE = 1;
    private static final int BLOCK = 1 << 20;

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
            StreamConn tx = StreamConn.over(HeartbeatConn.wrap(client, HeartbeatConfig.defaults()));
            StreamConn rx = StreamConn.over(HeartbeatConn.wrap(accepted, HeartbeatConfig.defaults()));
            AtomicLong sent = new AtomicLong(-1);
            AtomicReference<Throwable> sendFailure = new AtomicReference<>();
            try {
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                Thread sender = Thread.ofPlatform().name("stream-lib-send").start(() -> {
                    try {
                        sent.set(tx.send(DATA_TYPE, new RepeatingInput(block, bytes)));
                    } catch (Throwable t) {
                        sendFailure.set(t);
                        tx.close(); // the receiver's read then fails instead of waiting for more
                    }
                });
                long received = 0;
                ByteBuffer sink = ByteBuffer.allocateDirect(BLOCK);
                try (ReadableByteChannel in = rx.receiveChannel(DATA_TYPE)) {
                    int n;
                    while ((n = in.read(sink)) >= 0) {
                        received += n;
                        sink.clear();
                    }
                }
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
    private static final class RepeatingInput extends InputStream {
        private final byte[] block;
        private long left;
        private int position;

        RepeatingInput(byte[] block, long total) {
            this.block = block;
            this.left = total;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(Math.min(len, left), block.length - position);
            System.arraycopy(block, position, b, off, n);
            position = (position + n) % block.length;
            left -= n;
            return n;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }
}
