package dev.frameconn.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.LeakDetector;
import dev.frameconn.ShutdownResult;
import dev.frameconn.buffer.BufferPool;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Per-test fixtures over real sockets, shared by the tests of every module
 * (frameconn-core's test-jar): connected pairs over TCP or Unix domain sockets,
 * a raw socket as the peer of a connection, virtual threads, a temporary
 * directory.
 *
 * <p>Guarantee: {@link #close()} closes everything the test made through it,
 * then fails the test if anything leaked: frames reported by the
 * {@link LeakDetector} (the suite runs with it on), pooled buffers not given
 * back, test threads still running, the watchdog thread still alive with no
 * connection left, socket descriptors left open. Register it with
 * {@code @RegisterExtension final Fixtures f = new Fixtures();} and the check
 * runs after each test (after the test's own {@code @AfterEach} methods); or
 * use it in try-with-resources. Modules extend it with fixtures of their own
 * (TLS pairs, fault proxies) and keep its checks.
 */
public class Fixtures implements AutoCloseable, AfterEachCallback {
    /** The socket families a pair can run over. */
    public enum Kind { TCP, UNIX }

    /** How long a test waits for a task before it calls it a hang. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    /** How long {@link #close()} waits for what ends asynchronously (the watchdog, descriptors closed elsewhere). */
    private static final Duration GRACE = Duration.ofSeconds(10);

    /** The name {@code dev.frameconn.internal.TimerQueue} gives its thread; internal, so not referenced. */
    private static final String WATCHDOG_THREAD = "frameconn-watchdog";

    private static final AtomicBoolean WARM = new AtomicBoolean();

    /** The pool of {@link #config()}: checked for buffers not given back. */
    public final BufferPool pool = new BufferPool(6, 24, 16, 16L << 20);
    /** Virtual threads for the test's tasks; all must have ended by {@link #close()}. */
    public final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final long socketsBefore;
    private final long leaksBefore = LeakDetector.leaksReported();
    private long leaksExpected;
    private Path tempDir;

    /** Takes the baseline of socket descriptors and leak reports (after a one-time warm-up of the JVM). */
    public Fixtures() {
        // not in a static initializer: the warm-up's threads would wait for class initialisation
        if (WARM.compareAndSet(false, true)) {
            warmUp();
        }
        socketsBefore = openSockets();
    }

    /** For the warm-up only: no descriptor baseline (the JVM opens its own sockets lazily). */
    @SuppressWarnings("UnusedVariable") // the parameter only selects this constructor
    private Fixtures(boolean warmUp) {
        socketsBefore = Long.MAX_VALUE;
    }

    /** The configuration the fixtures' connections use: {@link #pool}, and an idle timeout no test reaches. */
    public FrameConnConfig config() {
        return FrameConnConfig.defaults().withBufferPool(pool).withIdleTimeout(Duration.ofSeconds(30));
    }

    /** A client and server connection over a real socket. */
    public record Pair(FrameConn client, FrameConn server) {}

    /** A pair over {@code kind}, both sides with {@link #config()}; closed with the fixtures. */
    public Pair pair(Kind kind) throws Exception {
        return pair(kind, config(), config());
    }

    /** A pair over {@code kind} (a Unix socket file in {@link #tempDir()}); closed with the fixtures. */
    public Pair pair(Kind kind, FrameConnConfig clientConfig, FrameConnConfig serverConfig) throws Exception {
        SocketAddress address = kind == Kind.TCP
                ? loopback()
                : UnixDomainSocketAddress.of(tempDir().resolve("s" + System.nanoTime() + ".sock"));
        try (FrameServer server = FrameServer.bind(address, serverConfig)) {
            Future<FrameConn> accepted = threads.submit(server::accept);
            FrameConn client = track(FrameConn.connect(server.localAddress(), clientConfig));
            return new Pair(client, track(get(accepted)));
        }
    }

    /**
     * A raw TCP socket as the peer of one of our connections: the test writes the wire bytes itself.
     * Its reads wait at most {@link #RAW_READ_TIMEOUT} for each byte and then fail the test with an
     * AssertionError that says how far they got, so that a connection that never sends fails
     * instead of hanging the build.
     */
    public record RawPeer(SocketChannel raw, FrameConn conn) implements AutoCloseable {
        /** How long a raw read waits for the next byte. */
        public static final Duration RAW_READ_TIMEOUT = WAIT;

        public void send(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                raw.write(b);
            }
        }

        public byte[] receive(int n) throws IOException {
            byte[] bytes = new byte[n];
            int got = 0;
            while (got < n) {
                int r = read(bytes, got, n - got, "receive(" + n + ")");
                if (r < 0) {
                    throw new EOFException("raw peer: end of stream after " + got + " of " + n);
                }
                got += r;
            }
            return bytes;
        }

        /** Everything until end of stream. */
        public byte[] receiveAll() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[64 << 10];
            int r;
            while ((r = read(chunk, 0, chunk.length, "receiveAll() after " + out.size() + " bytes")) >= 0) {
                out.write(chunk, 0, r);
            }
            return out.toByteArray();
        }

        /**
         * One bounded read. Through the socket adaptor's stream, because a blocking
         * SocketChannel's own read ignores SO_TIMEOUT.
         */
        private int read(byte[] into, int offset, int length, String what) throws IOException {
            java.net.Socket socket = raw.socket();
            socket.setSoTimeout((int) RAW_READ_TIMEOUT.toMillis());
            try {
                return socket.getInputStream().read(into, offset, length);
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("raw peer: " + what + " got no byte within timeout="
                        + RAW_READ_TIMEOUT + " from conn=" + conn + ": hang?", e);
            }
        }

        @Override
        public void close() throws IOException {
            raw.close();
            conn.close();
        }
    }

    /** A connection with {@code config} whose peer is a raw TCP socket; both closed with the fixtures. */
    public RawPeer rawPeer(FrameConnConfig config) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(loopback());
            Future<SocketChannel> accepted = threads.submit(listener::accept);
            FrameConn conn = track(FrameConn.connect(listener.getLocalAddress(), config));
            return new RawPeer(track(get(accepted)), conn);
        }
    }

    /** An address on the loopback interface with a port the system chooses. */
    public static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** Closes {@code closeable} (in reverse order of tracking) when the fixtures close. */
    public <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /** Runs {@code task} on a virtual thread of {@link #threads}. */
    public <T> Future<T> submit(Callable<T> task) {
        return threads.submit(task);
    }

    /**
     * Runs {@code task} on a virtual thread and returns once that thread is
     * parked (blocked in I/O or on a lock), not after a guessed delay.
     */
    @SuppressWarnings("ThreadPriorityCheck") // yield lets the task's thread run on a busy 2-core machine
    public <T> Future<T> submitAndAwaitBlocked(Callable<T> task) {
        AtomicReference<Thread> runner = new AtomicReference<>();
        Future<T> future = threads.submit(() -> {
            runner.set(Thread.currentThread());
            return task.call();
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Thread t = runner.get();
            if (future.isDone()) {
                throw new AssertionError("task ended instead of blocking: " + describe(future));
            }
            if (t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)) {
                return future;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("task did not block within 20 s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static String describe(Future<?> future) {
        try {
            return "result=" + future.get();
        } catch (ExecutionException e) {
            return "failure=" + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** For the test that leaks frames on purpose: that many leak reports and buffers are expected. */
    public void expectLeaks(long count) {
        leaksExpected = count;
    }

    /** A temporary directory, deleted with its files when the fixtures close. */
    public Path tempDir() throws IOException {
        if (tempDir == null) {
            tempDir = Files.createTempDirectory("frameconn-test");
        }
        return tempDir;
    }

    /** The result within {@link #WAIT}, or the task's own exception. */
    public static <T> T get(Future<T> future) throws Exception {
        return get(future, WAIT);
    }

    /** The result, or the task's own exception; an AssertionError if it takes longer than {@code timeout}. */
    public static <T> T get(Future<T> future, Duration timeout) throws Exception {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("did not complete within " + timeout + ": hang?", e);
        }
    }

    /** The exception a task ended with; an AssertionError if it returned normally or hung. */
    public static Throwable failure(Future<?> future, Duration timeout) throws InterruptedException {
        try {
            Object result = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            throw new AssertionError("expected a failure, got result=" + result);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("did not complete within " + timeout + ": hang?", e);
        }
    }

    /** Deterministic bytes for {@code seed} (the JDK's SplittableRandom), so that a receiver can check every one. */
    public static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Open socket descriptors of this process. Sockets only: the JVM opens
     * epoll and event descriptors lazily for its own pollers, which are not ours.
     */
    public static long openSockets() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false; // closed while listing (the listing's own descriptor, say)
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Which sockets are open, with their {@code /proc/net} lines: for the message of a failed leak check. */
    static String describeSockets() {
        StringBuilder out = new StringBuilder();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue;
                }
                if (!target.startsWith("socket:")) {
                    continue;
                }
                String inode = target.substring("socket:[".length(), target.length() - 1);
                out.append("\n  fd ").append(fd.getFileName()).append(' ').append(target);
                for (String table : new String[] {"tcp", "tcp6", "unix"}) {
                    for (String line : Files.readAllLines(Path.of("/proc/net/" + table))) {
                        if (line.matches(".*\\b" + inode + "\\b.*")) {
                            out.append(" ").append(table).append(": ").append(line.trim());
                        }
                    }
                }
            }
        } catch (IOException e) {
            out.append(e);
        }
        return out.toString();
    }

    private static boolean watchdogAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && WATCHDOG_THREAD.equals(t.getName()));
    }

    /**
     * The JVM opens some descriptors once, lazily (the virtual-thread poller
     * opens a Unix socket on first use of one): let it do so before any test
     * takes its descriptor baseline.
     */
    private static void warmUp() {
        try (Fixtures f = new Fixtures(true)) {
            for (Kind kind : Kind.values()) {
                Pair p = f.pair(kind);
                Future<Frame> read = f.submit(p.server()::readFrame);
                p.client().writeFrame(1, new byte[] {1});
                get(read).close();
                Future<ShutdownResult> other = f.submit(() -> {
                    try {
                        p.server().readFrame().close();
                    } catch (ConnectionShutdownException expected) {
                        // the client's RST
                    }
                    return p.server().shutdown();
                });
                p.client().shutdown();
                get(other);
            }
            try (RawPeer raw = f.rawPeer(f.config())) {
                raw.send(new byte[] {0, 0, 0, 1, 0, 0, 0, 0});
                raw.conn().readFrame().close();
            }
        } catch (Exception e) {
            throw new AssertionError("warm-up failed", e);
        }
    }

    /** After each test when registered with {@code @RegisterExtension}: {@link #close()}. */
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    /**
     * Closes everything (all of it, even if one close fails; the first failure
     * is thrown), then checks that no frame, buffer, thread or descriptor was
     * left behind.
     */
    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        threads.shutdownNow();
        assertThat(threads.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).as("test threads ended").isTrue();
        if (tempDir != null) {
            try (var files = Files.list(tempDir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(tempDir);
        }
        if (first != null) {
            throw first;
        }
        assertThat(LeakDetector.isEnabled()).as("tests run with -D" + LeakDetector.PROPERTY + "=true").isTrue();
        assertThat(LeakDetector.leaksReported() - leaksBefore)
                .as("frames leaked (see the log " + LeakDetector.LOGGER_NAME + ")")
                .isEqualTo(leaksExpected);
        assertThat(pool.outstanding()).as("pooled buffers not given back: %s", pool).isEqualTo(leaksExpected);
        // the watchdog thread ends by itself once no connection is left to watch; descriptors
        // closed by another thread (a timeout's abort, a peer process) may take a moment to go
        long until = System.nanoTime() + GRACE.toNanos();
        while ((watchdogAlive() || openSockets() > socketsBefore) && System.nanoTime() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // polled: these endings signal nothing
        }
        assertThat(watchdogAlive()).as("watchdog thread ended with the last connection").isFalse();
        assertThat(openSockets()).as(() -> "socket descriptors after the test: " + describeSockets())
                .isLessThanOrEqualTo(socketsBefore);
    }
}
