package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.internal.SocketTransport;
import dev.frameconn.testkit.Fixtures;
import dev.frameconn.time.Ticker;
import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10: the opt-in spin before a blocking read ({@link FrameConnConfig#withReadSpin}). Over real
 * TCP; the connection's transport is the real socket transport, watched: a read call made while no
 * byte was waiting is a read that parks. Bounds are generous (a loaded 2-CPU machine); nothing here
 * asserts a speed.
 *
 * <p>The connections run on {@link #SLOW}, a clock 1,000 times slower than real time, so that
 * {@link ReadSpin}'s back-off (it stops spinning when two polls are 500 µs of its clock apart: the
 * thread lost its CPU) takes a 0.5 s loss of the CPU, which even a loaded machine does not inflict:
 * these tests check the spin and its parking, {@link ReadSpinBackoffTest} the back-off. Budgets are
 * given in real time and divided by {@link #SLOWDOWN}.
 */
@Timeout(90)
class ReadSpinTest {
    private static final byte[] FRAME = HexFormat.of().parseHex("0000000700000003" + "010203");
    private static final long SLOWDOWN = 1_000;
    private static final Ticker SLOW = () -> System.nanoTime() / SLOWDOWN;

    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void aFrameArrivingWithinTheBudgetIsReadWithoutParking() throws Exception {
        Setup s = connect(Duration.ofSeconds(20));
        CompletableFuture<Frame> read = new CompletableFuture<>();
        f.submit(() -> read.complete(s.conn.readFrame()));
        s.watch.awaitPolls(10);
        send(s.peer, FRAME);
        try (Frame frame = read.get(30, TimeUnit.SECONDS)) {
            assertThat(frame.type()).isEqualTo(7);
        }
        assertThat(s.watch.parkingReads.get()).as("reads that found no byte waiting (they park)").isZero();
    }

    @Test
    void onceTheBudgetIsSpentTheReaderParksAndUsesNoCpu() throws Exception {
        Duration budget = Duration.ofMillis(300);
        Setup s = connect(budget);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assertThat(mx.isCurrentThreadCpuTimeSupported()).isTrue();
        CompletableFuture<Frame> read = new CompletableFuture<>();
        // a platform thread: the MXBean measures only those
        Thread reader = new Thread(() -> {
            try {
                read.complete(s.conn.readFrame());
            } catch (Throwable t) {
                read.completeExceptionally(t);
            }
        }, "spin-reader");
        long started = System.nanoTime();
        reader.start();
        try {
            boolean parked = s.watch.parked.await(budget.toMillis() + 10_000, TimeUnit.MILLISECONDS);

            // the same 500 ms for the reader and for a thread that surely spins: on a loaded machine a
            // spinning thread may get a small share of a core, so the reader is compared with it
            long[] control = new long[1];
            Thread spinner = new Thread(() -> spinFor(Duration.ofMillis(500), control), "spin-control");
            long cpuBefore = mx.getThreadCpuTime(reader.threadId());
            spinner.start();
            spinner.join();
            long cpuIdle = mx.getThreadCpuTime(reader.threadId()) - cpuBefore;
            System.out.printf("spin budget %s: parked after %.1f ms; CPU over 500 ms: parked reader %.2f ms,"
                    + " spinning control thread %.2f ms%n",
                    budget, (s.watch.parkedAt - started) / 1e6, cpuIdle / 1e6, control[0] / 1e6);
            // parked means no CPU: allow scheduler noise, far below a spinning thread's share
            assertThat(cpuIdle).as("reader CPU ns over 500 ms after the budget; a spinning thread got %d ns",
                    control[0]).isLessThanOrEqualTo(Math.max(control[0] / 5, 1_000_000L));

            assertThat(parked).as("the reader parked once the budget was spent").isTrue();
            long spun = s.watch.parkedAt - started;
            assertThat(spun).as("ns from the read's start to its parking read").isGreaterThanOrEqualTo(budget.toNanos())
                    .isLessThan(budget.toNanos() + Duration.ofSeconds(10).toNanos());
            assertThat(s.watch.polls.get()).as("polls while spinning").isGreaterThan(1);
            assertThat(read).isNotDone();

            send(s.peer, FRAME); // the parked read wakes for it
            try (Frame frame = read.get(30, TimeUnit.SECONDS)) {
                assertThat(frame.type()).isEqualTo(7);
            }
            assertThat(s.watch.parkingReads.get()).isEqualTo(1);
        } finally {
            s.conn.close();
            reader.join(30_000);
        }
        assertThat(reader.isAlive()).isFalse();
    }

    @Test
    void aTransportThatCannotTellIsNotSpunOn() throws Exception {
        // TLS keeps Transport.available()'s default, -1: the read parks at once despite a long budget
        Setup s = connect(Duration.ofSeconds(60));
        s.watch.unknown = true;
        var read = f.submitAndAwaitBlocked(s.conn::readFrame); // a spinning reader would not block for 60 s
        assertThat(s.watch.parkingReads.get()).isEqualTo(1);
        send(s.peer, FRAME);
        try (Frame frame = Fixtures.get(read)) {
            assertThat(frame.type()).isEqualTo(7);
        }
    }

    @Test
    void spinIsOffByDefaultAndNeverNegative() {
        assertThat(FrameConnConfig.defaults().readSpin()).isEqualTo(Duration.ZERO);
        assertThat(FrameConnConfig.defaults().withReadSpin(Duration.ofNanos(50_000)).readSpin())
                .isEqualTo(Duration.ofNanos(50_000));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> FrameConnConfig.defaults().withReadSpin(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readSpin=");
    }

    /** Spins for {@code time} of wall-clock time and leaves its own CPU time in {@code cpu[0]}. */
    private static void spinFor(Duration time, long[] cpu) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long start = mx.getCurrentThreadCpuTime();
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        cpu[0] = mx.getCurrentThreadCpuTime() - start;
    }

    private record Setup(FrameConn conn, SocketChannel peer, Watched watch) {}

    /** A connection spinning for {@code spin} of real time over watched TCP, and the raw socket at its other end. */
    private Setup connect(Duration spin) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(Fixtures.loopback());
            SocketAddress address = listener.getLocalAddress();
            SocketChannel peer = f.track(SocketChannel.open(address));
            SocketChannel ours = listener.accept();
            Watched watch = new Watched(new SocketTransport(ours));
            FrameConn conn = f.track(FrameConn.over(watch,
                    f.config().withTicker(SLOW).withReadSpin(spin.dividedBy(SLOWDOWN))));
            return new Setup(conn, peer, watch);
        }
    }

    private static void send(SocketChannel peer, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            peer.write(b);
        }
    }

    /** The real transport, counting polls and the reads that find nothing waiting. */
    private static final class Watched implements Transport {
        final Transport inner;
        final AtomicLong polls = new AtomicLong();
        final AtomicInteger parkingReads = new AtomicInteger();
        final CountDownLatch parked = new CountDownLatch(1);
        volatile long parkedAt;
        volatile boolean unknown;

        Watched(Transport inner) {
            this.inner = inner;
        }

        void awaitPolls(long n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (polls.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(polls.get()).as("polls of a spinning reader").isGreaterThanOrEqualTo(n);
        }

        @Override
        public int available() throws IOException {
            if (unknown) {
                return -1;
            }
            polls.incrementAndGet();
            return inner.available();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (inner.available() == 0) {
                parkingReads.incrementAndGet();
                parkedAt = System.nanoTime();
                parked.countDown();
            }
            return inner.read(dst);
        }

        @Override
        public long read(ByteBuffer first, ByteBuffer second) throws IOException {
            return inner.read(first, second);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return inner.write(srcs, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return inner.write(src);
        }

        @Override
        public void shutdownOutput() throws IOException {
            inner.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }

        @Override
        public void abort() {
            inner.abort();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public SocketAddress localAddress() {
            return inner.localAddress();
        }

        @Override
        public SocketAddress remoteAddress() {
            return inner.remoteAddress();
        }
    }
}
