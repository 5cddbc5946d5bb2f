package dev.frameconn.heartbeat;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.buffer.BufferPool;
import dev.frameconn.time.Ticker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Real TCP loopback connections for tests, with a private buffer pool (for leak
 * checks) and a tracking thread factory. {@link #close()} closes everything and
 * checks that no thread and no buffer was left behind.
 */
public final class Loopback implements AutoCloseable {
    public final BufferPool pool = new BufferPool(6, 24, 16, 16L << 20);
    public final TrackingThreadFactory threads = new TrackingThreadFactory();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Ticker ticker;

    public Loopback(Ticker ticker) {
        this.ticker = ticker;
    }

    public Loopback() {
        this(Ticker.system());
    }

    public FrameConnConfig frameConfig() {
        return FrameConnConfig.defaults().withBufferPool(pool).withTicker(ticker)
                .withShutdownTimeout(java.time.Duration.ofSeconds(5));
    }

    /** Two connected framed connections: [0] the connecting side, [1] the accepting side. */
    public FrameConn[] framePair() throws IOException {
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                frameConfig())) {
            CompletableFuture<FrameConn> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            FrameConn a = FrameConn.connect(server.localAddress(), frameConfig());
            FrameConn b = accepted.join();
            open.add(a);
            open.add(b);
            return new FrameConn[] {a, b};
        }
    }

    /** Registers something to close at the end. */
    public <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    /** Heartbeat config with this fixture's thread factory. */
    public HeartbeatConfig heartbeatConfig() {
        return HeartbeatConfig.defaults().withThreadFactory(threads);
    }

    public HeartbeatConn wrap(FrameConn conn, HeartbeatConfig config) {
        return track(HeartbeatConn.wrap(conn, config));
    }

    /** Two connected stream layers over {@link #framePair()}, each over a heartbeat layer with {@code config}. */
    public dev.frameconn.stream.StreamConn[] streamPair(HeartbeatConfig config) throws IOException {
        FrameConn[] pair = framePair();
        return new dev.frameconn.stream.StreamConn[] {
            dev.frameconn.stream.StreamConn.over(wrap(pair[0], config)),
            dev.frameconn.stream.StreamConn.over(wrap(pair[1], config))
        };
    }

    /** Closes everything, then checks for stray threads and unreleased buffers. */
    @Override
    public void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        Await.until("all heartbeat threads ended", () -> threads.alive().isEmpty());
        if (pool.outstanding() != 0) {
            throw new AssertionError("buffers not released: outstanding=" + pool.outstanding());
        }
    }
}
