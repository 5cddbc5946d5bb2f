package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.buffer.BufferPool;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Real-socket fixtures for the tests: connected pairs, raw peers, leak checks. */
final class Fixtures implements AutoCloseable {
    enum Kind { TCP, UNIX }

    private static final java.util.concurrent.atomic.AtomicBoolean WARM = new java.util.concurrent.atomic.AtomicBoolean();

    final BufferPool pool = new BufferPool(6, 24, 16, 16L << 20);
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final long fdsBefore;
    private final long leaksBefore = LeakDetector.leaksReported();
    private long leaksExpected;
    private Path tempDir;

    Fixtures() {
        // not in a static initializer: the warm-up's threads would wait for class initialisation
        if (WARM.compareAndSet(false, true)) {
            warmUp();
        }
        fdsBefore = openFileDescriptors();
    }

    /** For the warm-up only: no descriptor baseline (the JVM opens its own sockets lazily). */
    private Fixtures(boolean warmUp) {
        fdsBefore = Long.MAX_VALUE;
    }

    FrameConnConfig config() {
        return FrameConnConfig.defaults().withBufferPool(pool).withIdleTimeout(java.time.Duration.ofSeconds(30));
    }

    /** A client and server connection over a real socket. */
    record Pair(FrameConn client, FrameConn server) {}

    Pair pair(Kind kind) throws Exception {
        return pair(kind, config(), config());
    }

    Pair pair(Kind kind, FrameConnConfig clientConfig, FrameConnConfig serverConfig) throws Exception {
        SocketAddress address = kind == Kind.TCP
                ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)
                : UnixDomainSocketAddress.of(tempDir().resolve("s" + System.nanoTime() + ".sock"));
        try (FrameServer server = FrameServer.bind(address, serverConfig)) {
            Future<FrameConn> accepted = threads.submit(server::accept);
            FrameConn client = track(FrameConn.connect(server.localAddress(), clientConfig));
            FrameConn serverSide = track(get(accepted));
            return new Pair(client, serverSide);
        }
    }

    /** A raw socket on one side, a FrameConn on the other. */
    final class RawPeer implements AutoCloseable {
        final SocketChannel raw;
        final FrameConn conn;

        RawPeer(SocketChannel raw, FrameConn conn) {
            this.raw = raw;
            this.conn = conn;
        }

        void send(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                raw.write(b);
            }
        }

        byte[] receive(int n) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining()) {
                if (raw.read(b) < 0) {
                    throw new java.io.EOFException("raw peer: end of stream after " + b.position() + " of " + n);
                }
            }
            return b.array();
        }

        /** Everything until end of stream. */
        byte[] receiveAll() throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(64 << 10);
            while (raw.read(b.clear()) >= 0) {
                out.write(b.array(), 0, b.position());
            }
            return out.toByteArray();
        }

        @Override
        public void close() throws IOException {
            raw.close();
            conn.close();
        }
    }

    RawPeer rawPeer(FrameConnConfig config) throws Exception {
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
        try (listener) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Future<SocketChannel> accepted = threads.submit(listener::accept);
            FrameConn conn = track(FrameConn.connect(listener.getLocalAddress(), config));
            SocketChannel raw = track(get(accepted));
            return new RawPeer(raw, conn);
        }
    }

    /**
     * Runs {@code task} on a virtual thread and returns once that thread is
     * parked (blocked in I/O or on a lock) rather than after a guessed delay.
     */
    <T> Future<T> submitAndAwaitBlocked(java.util.concurrent.Callable<T> task) throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<Thread> runner = new java.util.concurrent.atomic.AtomicReference<>();
        Future<T> future = threads.submit(() -> {
            runner.set(Thread.currentThread());
            return task.call();
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Thread t = runner.get();
            if (future.isDone()) {
                throw new AssertionError("task ended instead of blocking: " + future);
            }
            if (t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)) {
                return future;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("task did not block within 10 s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** For the test that leaks on purpose. */
    void expectLeaks(long count) {
        leaksExpected = count;
    }

    <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    Path tempDir() throws IOException {
        if (tempDir == null) {
            tempDir = Files.createTempDirectory("frameconn-test");
        }
        return tempDir;
    }

    /** Which sockets are open, for the message of a failed leak check. */
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

    static <T> T get(Future<T> future) throws Exception {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("did not complete within 30 s", e);
        }
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
                Future<Frame> read = f.threads.submit(p.server()::readFrame);
                p.client().writeFrame(1, new byte[] {1});
                get(read).close();
                Future<ShutdownResult> other = f.threads.submit(() -> {
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
                raw.conn.readFrame().close();
            }
        } catch (Exception e) {
            throw new AssertionError("warm-up failed", e);
        }
    }

    /**
     * Open socket descriptors of this process. Sockets only: the JVM opens
     * epoll and event descriptors lazily for its own pollers, which are not ours.
     */
    static long openFileDescriptors() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false; // closed while listing (the listing's own descriptor, say)
                }
            }).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        int x = seed * 0x9E3779B9 + 1;
        for (int i = 0; i < length; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            bytes[i] = (byte) x;
        }
        return bytes;
    }

    /** Closes everything and checks that no buffer and no descriptor was left behind. */
    @Override
    public void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        threads.shutdownNow();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).as("test threads ended").isTrue();
        if (tempDir != null) {
            try (var files = Files.list(tempDir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(tempDir);
        }
        assertThat(LeakDetector.isEnabled()).as("tests run with -D" + LeakDetector.PROPERTY + "=true").isTrue();
        assertThat(LeakDetector.leaksReported() - leaksBefore).as("frames leaked (see standard error)")
                .isEqualTo(leaksExpected);
        assertThat(pool.outstanding()).as("pooled buffers not given back").isEqualTo(leaksExpected);
        // the watchdog thread ends by itself once no connection is left to watch
        dev.frameconn.internal.Watchdog watchdog = dev.frameconn.internal.Watchdog.of(dev.frameconn.time.Ticker.system());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (watchdog.isRunning() && System.nanoTime() < until) {
            Thread.onSpinWait();
            Thread.yield();
        }
        assertThat(watchdog.isRunning()).as("watchdog thread ended with the last connection").isFalse();
        assertThat(openFileDescriptors()).as(() -> "socket descriptors after the test: " + describeSockets())
                .isLessThanOrEqualTo(fdsBefore);
    }
}
