package dev.frameconn.bench;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.ShutdownResult;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The idle workload: how much memory and CPU an idle frameconn connection
 * costs, at several connection counts. For each count the benchmark process
 * opens N client connections ({@link IdleConn#CONFIG}) to an {@link IdleServer}
 * in a fresh child JVM over loopback TCP, each with one virtual thread that
 * reads the server's greeting and then blocks in {@code readFrame()}. Each
 * process holds one end of each connection, so each needs N file descriptors
 * and not 2N: 18,000 connections fit under a limit of 20,000 per process.
 * Heap used after full GCs and the "direct" buffer pool are read before
 * opening and once all are idle; the differences divided by N are the
 * figures. The virtual threads, their parked stacks, the sockets, read buffers
 * and the benchmark's own references per connection are all included. Before
 * that, warm-up cycles load the classes, start the JDK's pollers and
 * frameconn's watchdog, and run the open, read and park paths often enough
 * for the JIT to compile them, so that one-off costs stay out of the
 * difference and the parked stacks are those of a server that has been up a
 * while: a virtual thread parked in interpreted frames keeps a stack chunk two
 * to three times the size of the compiled one.
 *
 * <p>With {@link IdleOptions#heartbeat()} both ends put a HeartbeatConn over
 * every connection. With a CPU window, the connections then sit idle for that
 * long while the CPU time of both processes is read (the benchmark's from the
 * JVM, the child's from the OS).
 *
 * <p>At the end the server shuts every connection down; each reader gets
 * {@link ConnectionShutdownException} from its peer, answers with its own
 * shutdown and ends. The workload fails unless every reader ended that way;
 * unclean shutdowns are counted at both ends and reported.
 */
final class IdleWorkload {
    /** Connections of one warm-up cycle, all open at once ({@link IdleOptions#warmupConnections()} in all). */
    static final int WARMUP_CONNECTIONS = 100;
    /** File descriptors left free beyond one per connection (jars, epoll, pipes). */
    private static final int SPARE_FDS = 128;
    /** How long any one step (open all, shut all down, child answers) may take before the workload fails. */
    private static final long STEP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);
    /** Full GCs at most per memory reading. */
    private static final int MAX_GCS = 10;

    private IdleWorkload() {}

    /** Runs the workload at every size of {@code options}, in order; progress goes to {@code progress}. */
    static IdleResult run(IdleOptions options, PrintStream progress) throws Exception {
        List<IdleRow> rows = new ArrayList<>();
        // direct memory a size's connections leave behind (frameconn keeps released read buffers for
        // reuse) would otherwise be subtracted from the next size's, which reuses it: count against
        // the process's direct memory before the first size when that is lower
        long directBaseline = Memory.measure().direct;
        for (int n : options.sizes()) {
            rows.add(runOne(n, options, directBaseline, progress));
        }
        return new IdleResult(options, rows);
    }

    private static IdleRow runOne(int connections, IdleOptions options, long directBaseline, PrintStream progress)
            throws Exception {
        String shortfall = shortfall(connections);
        if (shortfall != null) {
            return IdleRow.skipped(connections, shortfall);
        }
        long t0 = System.nanoTime();
        List<String> command = ChildJvm.command(IdleServer.class);
        if (options.heartbeat() != null) {
            command.add(IdleServer.HEARTBEAT_ARG);
            command.add(Long.toString(options.heartbeat().toMillis()));
        }
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ChildLines lines = new ChildLines(child, "idle: the server child", STEP_TIMEOUT_NANOS);
        try {
            String port = lines.expect("PORT ", "listening");
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    Integer.parseInt(port.trim()));
            warmUp(address, options, lines);
            Memory before = Memory.measure();
            IdleRow row;
            try (Idlers idlers = new Idlers(address, connections, options.heartbeat())) {
                long openStart = System.nanoTime();
                idlers.open(lines);
                long openNanos = System.nanoTime() - openStart;
                Memory after = Memory.measure();
                if (options.heartbeat() != null) {
                    after = settledWithHeartbeats(options.heartbeat());
                }
                int parked = idlers.parked();
                for (int i = 0; i < 3 && parked < connections; i++) {
                    // a reader counted its greeting but has not parked yet: the GCs give it time
                    after = Memory.measure();
                    parked = idlers.parked();
                }
                IdleRow.Cpu cpu = options.cpuWindowNanos() > 0
                        ? cpuWindow(options.cpuWindowNanos(), child, idlers) : null;
                long closeStart = System.nanoTime();
                Shutdowns server = idlers.shutdownFromServer(lines);
                long closeNanos = System.nanoTime() - closeStart;
                String unclean = idlers.unclean.get() != null ? idlers.unclean.get() : server.firstUnclean;
                row = new IdleRow(connections, null, before.heap, after.heap,
                        Math.min(before.direct, directBaseline), after.direct,
                        before.settled && after.settled, parked, openNanos, closeNanos, idlers.ended(),
                        idlers.cleanShutdowns.get(), server.clean, unclean, cpu);
            }
            lines.send("exit");
            if (!child.waitFor(STEP_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new BenchmarkFailure("idle: the server child did not exit within "
                        + STEP_TIMEOUT_NANOS / 1_000_000_000 + " s of its exit command");
            }
            if (child.exitValue() != 0) {
                throw new BenchmarkFailure("idle: the server child exited with status " + child.exitValue()
                        + " (its errors are above)");
            }
            progress.printf(Locale.ROOT, "  %-12s connections=%d%s, server in a child JVM: %.1f s%n",
                    Workload.IDLE.label(), connections,
                    options.heartbeat() == null ? "" : ", heartbeat every " + options.heartbeat().toMillis() + " ms",
                    (System.nanoTime() - t0) / 1e9);
            return row;
        } finally {
            lines.close();
            if (child.isAlive()) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The heap of idle heartbeat connections as they stay: read again once
     * every reader has woken for a heartbeat since the reading just taken.
     * Right after opening, each reader's parked stack is one chunk; after the
     * full GCs of that reading promoted it, the next park (after a heartbeat)
     * cannot reuse it and adds a chunk of its own, and that second chunk is
     * part of every idle heartbeat connection from then on. Plain connections
     * never wake, so their first reading is already this state.
     */
    private static Memory settledWithHeartbeats(Duration interval) throws InterruptedException {
        Thread.sleep(interval.plus(interval.dividedBy(2)));
        return Memory.measure();
    }

    /**
     * The warm-up cycles: classes, pollers, watchdog, buffer pool, heartbeat
     * threads, shutdown paths, and the JIT. A method of its own so that nothing of it is
     * left when the "before" reading is taken: inline in {@link #runOne}, the
     * closed warm-up connections stayed reachable from a dead local's slot of
     * the (interpreted) frame until the next local reused it, were counted in
     * "before" but not in "after", and lowered every row by the warm-up's
     * heap divided by N.
     */
    private static void warmUp(InetSocketAddress address, IdleOptions options, ChildLines lines) throws Exception {
        for (int n : warmupCycles(options.warmupConnections())) {
            try (Idlers warm = new Idlers(address, n, options.heartbeat())) {
                warm.open(lines);
                warm.shutdownFromServer(lines);
            }
        }
    }

    /** The warm-up's cycles: {@code connections} in all, at most {@link #WARMUP_CONNECTIONS} open at once. */
    static int[] warmupCycles(int connections) {
        int[] cycles = new int[(connections + WARMUP_CONNECTIONS - 1) / WARMUP_CONNECTIONS];
        for (int i = 0; i < cycles.length; i++) {
            cycles[i] = Math.min(WARMUP_CONNECTIONS, connections - i * WARMUP_CONNECTIONS);
        }
        return cycles;
    }

    /**
     * Lets the connections sit idle for {@code windowNanos} and reads the CPU
     * time both processes spent meanwhile, and the heartbeats that arrived.
     */
    private static IdleRow.Cpu cpuWindow(long windowNanos, Process child, Idlers idlers)
            throws InterruptedException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long beats = idlers.heartbeatsReceived();
        long serverStart = childCpuNanos(child);
        long clientStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        Thread.sleep(Duration.ofNanos(windowNanos));
        long clientEnd = os.getProcessCpuTime();
        long serverEnd = childCpuNanos(child);
        long window = System.nanoTime() - start;
        long server = serverStart < 0 || serverEnd < 0 ? -1 : serverEnd - serverStart;
        return new IdleRow.Cpu(window, clientEnd - clientStart, server, idlers.heartbeatsReceived() - beats);
    }

    /** The child's CPU time so far (user and system), or -1 if the OS does not say. */
    private static long childCpuNanos(Process child) {
        return child.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** Null if this process and the system can hold {@code n} more connections, else why not. */
    static String shortfall(int n) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            long max = os.getMaxFileDescriptorCount();
            long open = os.getOpenFileDescriptorCount();
            long need = open + n + SPARE_FDS;
            if (need > max) {
                return "needs about " + need + " file descriptors (" + open + " open, " + n + " connections, "
                        + SPARE_FDS + " spare) but ulimit -n is " + max
                        + ": raise ulimit -n or lower --idle-connections";
            }
        }
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim()
                    .split("\\s+");
            long ports = Long.parseLong(range[1]) - Long.parseLong(range[0]) + 1;
            if (ports < n + WARMUP_CONNECTIONS + 1) {
                return "needs " + (n + WARMUP_CONNECTIONS + 1) + " ephemeral ports but "
                        + "net.ipv4.ip_local_port_range " + range[0] + "-" + range[1] + " has " + ports
                        + ": lower --idle-connections";
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: connect will say if ports run out
        }
        return null;
    }

    /**
     * Heap used after full GCs and direct buffer bytes, once both have settled:
     * within 0.1% (at least 64 KiB) of the reading after the previous GC. Direct
     * buffers are freed by their cleaners after the GC that found them
     * unreachable, so direct memory needs a GC more than the heap to settle.
     */
    private record Memory(long heap, long direct, boolean settled) {
        static Memory measure() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long heap = Long.MAX_VALUE;
            long direct = Long.MAX_VALUE;
            for (int i = 0; i < MAX_GCS; i++) {
                memory.gc();
                long h = memory.getHeapMemoryUsage().getUsed();
                long d = directBytes();
                boolean settled = close(heap, h) && close(direct, d);
                heap = h;
                direct = d;
                if (settled) {
                    return new Memory(heap, direct, true);
                }
            }
            return new Memory(heap, direct, false);
        }

        private static boolean close(long previous, long now) {
            return Math.abs(previous - now) <= Math.max(now / 1000, 64 << 10);
        }

        private static long directBytes() {
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (pool.getName().equals("direct")) {
                    return pool.getMemoryUsed();
                }
            }
            return 0;
        }
    }

    /** The server's report of one shutdown command: how many ends were clean, and the first that was not. */
    private record Shutdowns(int clean, String firstUnclean) {}

    /** N client connections, each with a virtual reader thread. */
    private static final class Idlers implements AutoCloseable {
        private final InetSocketAddress address;
        private final int n;
        private final Duration heartbeat;
        private final List<IdleConn> conns;
        private final List<Thread> readers;
        private final CountDownLatch greeted;
        private final CountDownLatch ended;
        private final AtomicInteger endedByPeer = new AtomicInteger();
        final AtomicInteger cleanShutdowns = new AtomicInteger();
        final AtomicReference<String> unclean = new AtomicReference<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Idlers(InetSocketAddress address, int n, Duration heartbeat) {
            this.address = address;
            this.n = n;
            this.heartbeat = heartbeat;
            this.conns = new ArrayList<>(n);
            this.readers = new ArrayList<>(n);
            this.greeted = new CountDownLatch(n);
            this.ended = new CountDownLatch(n);
        }

        /** Opens every connection, starts its reader and waits until every greeting has arrived. */
        void open(ChildLines lines) throws Exception {
            // unnamed virtual threads, as a server would start them: a name would cost heap per connection
            Thread.Builder builder = Thread.ofVirtual();
            for (int i = 0; i < n; i++) {
                IdleConn conn;
                try {
                    conn = IdleConn.over(FrameConn.connect(address, IdleConn.CONFIG), heartbeat);
                } catch (IOException e) {
                    throw new BenchmarkFailure("idle: connect number " + (i + 1) + " of " + n + " to " + address
                            + " failed: " + e + lines.errors(), e);
                }
                conns.add(conn);
                readers.add(builder.start(() -> read(conn)));
            }
            if (!greeted.await(STEP_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new BenchmarkFailure("idle: only " + (n - greeted.getCount()) + " of " + n
                        + " connections were greeted within " + STEP_TIMEOUT_NANOS / 1_000_000_000 + " s"
                        + lines.errors(), failure.get());
            }
            Throwable cause = failure.get();
            if (cause != null) {
                throw new BenchmarkFailure("idle: a reader failed: " + cause + lines.errors(), cause);
            }
        }

        private void read(IdleConn conn) {
            boolean greetedYet = false;
            try {
                try (Frame hello = conn.readFrame()) {
                    if (hello.type() != IdleServer.HELLO_TYPE || hello.length() != IdleServer.HELLO_LENGTH) {
                        throw new BenchmarkFailure("idle: greeting type=" + hello.type() + " length="
                                + hello.length() + ", expected type=" + IdleServer.HELLO_TYPE + " length="
                                + IdleServer.HELLO_LENGTH);
                    }
                }
                greetedYet = true;
                greeted.countDown();
                try (Frame unexpected = conn.readFrame()) {
                    throw new BenchmarkFailure("idle: a frame of type=" + unexpected.type() + " length="
                            + unexpected.length() + " arrived on an idle connection");
                }
            } catch (ConnectionShutdownException e) {
                if (e.initiator() == ConnectionShutdownException.Initiator.PEER) {
                    ShutdownResult result = conn.shutdown();
                    if (result.clean()) {
                        cleanShutdowns.incrementAndGet();
                    } else {
                        unclean.compareAndSet(null, "client: " + result);
                    }
                    endedByPeer.incrementAndGet();
                } else {
                    failure.compareAndSet(null, e);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                conn.close();
            } finally {
                if (!greetedYet) {
                    greeted.countDown(); // do not leave open() waiting out its timeout; it checks failure
                }
                ended.countDown();
            }
        }

        /** Readers parked right now (in {@code readFrame}, with nothing to read). */
        int parked() {
            int parked = 0;
            for (Thread t : readers) {
                Thread.State state = t.getState();
                if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                    parked++;
                }
            }
            return parked;
        }

        /** Readers that ended because the server shut their connection down. */
        int ended() {
            return endedByPeer.get();
        }

        /** Heartbeats received so far over all connections. */
        long heartbeatsReceived() {
            long sum = 0;
            for (IdleConn conn : conns) {
                sum += conn.heartbeatsReceived();
            }
            return sum;
        }

        /**
         * Has the server shut down all its connections, waits for every reader to
         * end, and returns the server's count of clean shutdowns.
         */
        Shutdowns shutdownFromServer(ChildLines lines) throws Exception {
            lines.send("shutdown");
            String reply = lines.expect("SHUTDOWN ", "the shutdown of connections=" + n);
            if (!ended.await(STEP_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new BenchmarkFailure("idle: only " + (n - ended.getCount()) + " of " + n
                        + " readers ended within " + STEP_TIMEOUT_NANOS / 1_000_000_000
                        + " s of the server's shutdown", failure.get());
            }
            Throwable cause = failure.get();
            if (cause != null) {
                throw new BenchmarkFailure("idle: a reader failed: " + cause, cause);
            }
            if (endedByPeer.get() != n) {
                throw new BenchmarkFailure("idle: readers=" + n + " but only " + endedByPeer.get()
                        + " ended by the server's shutdown");
            }
            for (Thread t : readers) {
                Bench.join(t, "idle");
            }
            // "SHUTDOWN <count> clean=<n>[ first-unclean=...]"
            String[] f = reply.split(" ", 3);
            int count = Integer.parseInt(f[0]);
            if (count != n) {
                throw new BenchmarkFailure("idle: the server shut down connections=" + count + ", expected " + n);
            }
            String firstUnclean = f.length > 2 && f[2].startsWith("first-unclean=")
                    ? "server: " + f[2].substring("first-unclean=".length()) : null;
            return new Shutdowns(Integer.parseInt(f[1].substring("clean=".length())), firstUnclean);
        }

        @Override
        public void close() {
            // after a clean run every connection is closed already; after a failure this ends the readers
            for (IdleConn conn : conns) {
                conn.close();
            }
        }
    }
}
