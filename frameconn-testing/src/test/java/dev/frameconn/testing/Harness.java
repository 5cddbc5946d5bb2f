package dev.frameconn.testing;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.ShutdownResult;
import dev.frameconn.buffer.BufferPool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-test fixtures over real loopback sockets: connected pairs (direct or
 * through a {@link FaultProxy}), raw peers, virtual threads; closing it checks
 * that no buffer, socket or thread was left behind.
 */
final class Harness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicBoolean WARM = new AtomicBoolean();

    final BufferPool pool = new BufferPool(6, 24, 16, 16L << 20);
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ResourceSnapshot before;

    Harness() {
        if (WARM.compareAndSet(false, true)) {
            warmUp();
        }
        before = ResourceSnapshot.take();
    }

    FrameConnConfig config() {
        return FrameConnConfig.defaults().withBufferPool(pool).withIdleTimeout(Duration.ofSeconds(30));
    }

    record Pair(FrameConn client, FrameConn server) {}

    Pair pair() throws Exception {
        return pair(config(), config());
    }

    Pair pair(FrameConnConfig clientConfig, FrameConnConfig serverConfig) throws Exception {
        try (FrameServer server = FrameServer.bind(loopback(), serverConfig)) {
            Future<FrameConn> accepted = threads.submit(server::accept);
            FrameConn client = track(FrameConn.connect(server.localAddress(), clientConfig));
            return new Pair(client, track(get(accepted)));
        }
    }

    /** A pair whose bytes pass through {@code proxy}, started here and closed with the harness. */
    Pair pairViaProxy(FrameConnConfig clientConfig, FrameConnConfig serverConfig,
            AtomicReference<FaultProxy> proxyOut) throws Exception {
        try (FrameServer server = FrameServer.bind(loopback(), serverConfig)) {
            FaultProxy proxy = track(FaultProxy.start((InetSocketAddress) server.localAddress()));
            proxyOut.set(proxy);
            Future<FrameConn> accepted = threads.submit(server::accept);
            FrameConn client = track(FrameConn.connect(proxy.address(), clientConfig));
            return new Pair(client, track(get(accepted)));
        }
    }

    /** A raw socket as the peer of one of our connections. */
    record RawPeer(SocketChannel raw, FrameConn conn) {
        void send(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                raw.write(b);
            }
        }
    }

    RawPeer rawPeer(FrameConnConfig config) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(loopback());
            Future<SocketChannel> accepted = threads.submit(listener::accept);
            FrameConn conn = track(FrameConn.connect(listener.getLocalAddress(), config));
            return new RawPeer(track(get(accepted)), conn);
        }
    }

    /** A listening socket for a peer process to connect to. */
    ServerSocketChannel listener() throws IOException {
        ServerSocketChannel listener = track(ServerSocketChannel.open());
        listener.bind(loopback());
        return listener;
    }

    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    <T> Future<T> submit(Callable<T> task) {
        return threads.submit(task);
    }

    /**
     * Runs {@code task} on a virtual thread and returns once that thread is
     * parked (blocked in I/O or on a lock), not after a guessed delay.
     */
    <T> Future<T> submitAndAwaitBlocked(Callable<T> task) {
        AtomicReference<Thread> runner = new AtomicReference<>();
        Future<T> future = threads.submit(() -> {
            runner.set(Thread.currentThread());
            return task.call();
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Thread t = runner.get();
            if (future.isDone()) {
                throw new AssertionError("task ended instead of blocking: " + describe(future));
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

    static <T> T get(Future<T> future) throws Exception {
        return get(future, WAIT);
    }

    /** The result, or the task's own exception; an AssertionError if it takes longer than {@code timeout}. */
    static <T> T get(Future<T> future, Duration timeout) throws Exception {
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
    static Throwable failure(Future<?> future, Duration timeout) throws InterruptedException {
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

    /** Closes everything, then checks buffers, sockets and threads. */
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
        if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new AssertionError("test threads did not end within 30 s");
        }
        if (first != null) {
            throw first;
        }
        if (pool.outstanding() != 0) {
            throw new AssertionError("pooled buffers not given back: " + pool);
        }
        if (before != null) {
            before.assertNoLeaks(Duration.ofSeconds(10));
        }
    }

    /**
     * The JVM opens some descriptors and threads once, lazily (the virtual
     * thread poller, for one): let it before any test takes its baseline.
     */
    private static void warmUp() {
        try (Harness h = new Harness(true)) {
            Pair p = h.pair();
            Future<Frame> read = h.submit(p.server()::readFrame);
            p.client().writeFrame(1, new byte[] {1});
            get(read).close();
            Future<ShutdownResult> other = h.submit(() -> {
                try {
                    p.server().readFrame().close();
                } catch (ConnectionShutdownException expected) {
                    // the client's RST
                }
                return p.server().shutdown();
            });
            p.client().shutdown();
            get(other);
        } catch (Exception e) {
            throw new AssertionError("warm-up failed", e);
        }
    }

    /** The warm-up's own harness: no baseline, since the warm-up is what opens the JVM's lazy resources. */
    private Harness(boolean warmUp) {
        before = null;
    }
}
