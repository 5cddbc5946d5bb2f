package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.FrameConnConfig;
import dev.frameconn.LeakDetector;
import dev.frameconn.buffer.BufferPool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Real-socket fixtures for the TLS tests: a CA made at run time, connected
 * pairs over loopback, and the leak checks of the core tests (pooled buffers,
 * socket descriptors, leaked frames, threads).
 */
final class TlsFixtures implements AutoCloseable {
    /** One CA for the whole run: making keys is the slow part. */
    static final TestPki PKI = TestPki.create("frameconn test CA");
    static final TestPki.Credential SERVER = PKI.server();
    static final TestPki.Credential CLIENT = PKI.client("backup-client-1");

    private static final AtomicBoolean WARM = new AtomicBoolean();

    final BufferPool pool = new BufferPool(6, 24, 16, 16L << 20);
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final long fdsBefore;
    private final long leaksBefore = LeakDetector.leaksReported();
    private Path tempDir;

    TlsFixtures() {
        if (WARM.compareAndSet(false, true)) {
            warmUp();
        }
        fdsBefore = openSockets();
    }

    private TlsFixtures(boolean warmUp) {
        fdsBefore = Long.MAX_VALUE;
    }

    FrameConnConfig config() {
        return FrameConnConfig.defaults().withBufferPool(pool).withIdleTimeout(Duration.ofSeconds(30));
    }

    static TlsConfig serverTls() {
        return PKI.config(SERVER);
    }

    static TlsConfig clientTls() {
        return PKI.config(CLIENT);
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** A client and its accepted server connection. */
    record Pair(TlsConnection client, TlsConnection server) {}

    Pair pair() throws Exception {
        return pair(clientTls(), serverTls(), config(), config());
    }

    Pair pair(TlsConfig clientTls, TlsConfig serverTls, FrameConnConfig clientConfig, FrameConnConfig serverConfig)
            throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(loopback(), serverTls, serverConfig)) {
            Future<TlsConnection> accepted = threads.submit(server::accept);
            TlsConnection client = track(TlsFrameConn.connect((InetSocketAddress) server.localAddress(), clientTls,
                    clientConfig));
            TlsConnection serverSide = track(get(accepted));
            return new Pair(client, serverSide);
        }
    }

    <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    Path tempDir() throws IOException {
        if (tempDir == null) {
            tempDir = Files.createTempDirectory("frameconn-tls-test");
        }
        return tempDir;
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

    <T> Future<T> submit(Callable<T> task) {
        return threads.submit(task);
    }

    /** Lets the JVM open its lazily created descriptors before any test counts them. */
    private static void warmUp() {
        try (TlsFixtures f = new TlsFixtures(true)) {
            Pair p = f.pair();
            Future<?> read = f.threads.submit(() -> {
                p.server().conn().readFrame().close();
                return null;
            });
            p.client().conn().writeFrame(1, new byte[] {1});
            get(read);
        } catch (Exception e) {
            throw new AssertionError("warm-up failed", e);
        }
    }

    static long openSockets() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException gone) {
                    return false;
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

    /** Closes everything and checks that no buffer, descriptor, frame or thread was left behind. */
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
        assertThat(LeakDetector.leaksReported() - leaksBefore).as("frames leaked (see standard error)").isZero();
        assertThat(pool.outstanding()).as("pooled buffers not given back: " + pool).isZero();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (openSockets() > fdsBefore && System.nanoTime() < until) {
            Thread.onSpinWait(); // a descriptor closed by another thread may take a moment to go
            Thread.yield();
        }
        assertThat(openSockets()).as("socket descriptors after the test").isLessThanOrEqualTo(fdsBefore);
    }
}
