package dev.frameconn.testing;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.testkit.Fixtures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The core's {@link Fixtures} (real loopback sockets; closing checks frames,
 * buffers, threads, the watchdog and descriptors) plus what fault tests need:
 * pairs through a {@link FaultProxy}, listeners for peer processes, and this
 * module's own {@link ResourceSnapshot}, which also fails a test that leaves a
 * platform thread behind.
 */
final class Harness extends Fixtures {
    private final ResourceSnapshot before = ResourceSnapshot.take();

    /** A pair whose bytes pass through {@code proxy}, started here and closed with the harness. */
    Pair pairViaProxy(FrameConnConfig clientConfig, FrameConnConfig serverConfig,
            AtomicReference<FaultProxy> proxyOut) throws Exception {
        try (FrameServer server = FrameServer.bind(loopback(), serverConfig)) {
            FaultProxy proxy = track(FaultProxy.start((InetSocketAddress) server.localAddress()));
            proxyOut.set(proxy);
            Future<FrameConn> accepted = submit(server::accept);
            FrameConn client = track(FrameConn.connect(proxy.address(), clientConfig));
            return new Pair(client, track(get(accepted)));
        }
    }

    /** A listening socket for a peer process to connect to. */
    ServerSocketChannel listener() throws IOException {
        ServerSocketChannel listener = track(ServerSocketChannel.open());
        listener.bind(loopback());
        return listener;
    }

    /**
     * The next connection to {@code listener}, within {@link #WAIT} and tracked:
     * a peer that died or never connects fails the test, described as
     * {@code from}, instead of leaving it blocked in accept for ever.
     */
    SocketChannel accept(ServerSocketChannel listener, Supplier<String> from) throws Exception {
        Future<SocketChannel> next = submit(listener::accept);
        try {
            return track(get(next, WAIT));
        } catch (AssertionError e) {
            throw new AssertionError("no connection from " + from.get(), e);
        }
    }

    /** The core's checks, then sockets and platform threads against the snapshot taken at the start. */
    @Override
    public void close() throws Exception {
        super.close();
        before.assertNoLeaks(Duration.ofSeconds(10));
    }
}
