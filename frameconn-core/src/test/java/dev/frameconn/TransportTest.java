package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.internal.Sockets;
import dev.frameconn.testkit.Fixtures;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connecting, listening and accepting over TCP and Unix domain sockets. */
@Timeout(60)
class TransportTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void tcpConnectionsHaveNagleSwitchedOff() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel channel = SocketChannel.open(listener.getLocalAddress());
            FrameConn conn = f.track(FrameConn.wrap(channel, f.config()));
            try (SocketChannel accepted = listener.accept()) {
                assertThat(channel.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
                assertThat(channel.isBlocking()).isTrue();
                assertThat(conn.remoteAddress()).isEqualTo(listener.getLocalAddress());
                assertThat(conn.localAddress()).isEqualTo(accepted.getRemoteAddress());
            }
        }
    }

    @Test
    void acceptedTcpConnectionsHaveNagleSwitchedOffToo() throws Exception {
        Fixtures.Pair p = f.pair(Fixtures.Kind.TCP);
        assertThat(p.server().toString()).contains("->");
        assertThat(p.server().isOpen()).isTrue();
        // the option of the accepted socket itself: no public API shows it, so look at the channel
        SocketChannel accepted = channelOf(p.server());
        assertThat(accepted.getOption(StandardSocketOptions.TCP_NODELAY)).as("TCP_NODELAY of %s", accepted).isTrue();
        assertThat(channelOf(p.client()).getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
    }

    /**
     * The socket channel under a connection, found by type through its fields (the
     * tests run inside the module, so private fields are reachable), not by name: the
     * names are free to change.
     */
    static SocketChannel channelOf(Object holder) throws IllegalAccessException {
        SocketChannel found = findChannel(holder, 0);
        if (found == null) {
            throw new AssertionError("no SocketChannel under " + holder);
        }
        return found;
    }

    private static SocketChannel findChannel(Object holder, int depth) throws IllegalAccessException {
        for (Class<?> c = holder.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Field field : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                Class<?> type = field.getType();
                if (SocketChannel.class.isAssignableFrom(type)) {
                    field.setAccessible(true);
                    return (SocketChannel) field.get(holder);
                }
                if (depth < 2 && dev.frameconn.transport.Transport.class.isAssignableFrom(type)) {
                    field.setAccessible(true);
                    Object inner = field.get(holder);
                    SocketChannel found = inner == null ? null : findChannel(inner, depth + 1);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    @Test
    void abortResetsATcpConnectionInsteadOfEndingIt() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel aborted = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel peer = listener.accept()) {
                Sockets.abort(aborted);
                assertThat(aborted.isOpen()).isFalse();
                // a graceful close (FIN) would read as the end of the stream, -1
                assertThatThrownBy(() -> peer.read(ByteBuffer.allocate(16)))
                        .isInstanceOf(IOException.class).hasMessageContaining("reset");
            }
        }
    }

    @Test
    void aServerIsOpenUntilClosedAndSaysSo() throws Exception {
        FrameServer server = FrameServer.bind(Fixtures.loopback(), f.config());
        try {
            assertThat(server.isOpen()).isTrue();
            assertThat(server).hasToString("FrameServer[" + server.localAddress() + "]");
        } finally {
            server.close();
        }
        assertThat(server.isOpen()).isFalse();
        assertThat(server).hasToString("FrameServer[" + server.localAddress() + ", closed]");
    }

    @Test
    void refusedConnectionIsAnIOException() throws Exception {
        SocketAddress closed;
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closed = listener.getLocalAddress();
        }
        assertThatThrownBy(() -> FrameConn.connect(closed, f.config())).isInstanceOf(ConnectException.class);
    }

    @Test
    void unresolvedHostAndUnknownAddressKindsSayWhat() {
        assertThatThrownBy(() -> FrameConn.connect(InetSocketAddress.createUnresolved("no.such.host.invalid", 1)))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("host=no.such.host.invalid");
        SocketAddress odd = new SocketAddress() {};
        assertThatThrownBy(() -> FrameConn.connect(odd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither TCP nor a Unix domain socket");
        assertThatThrownBy(() -> FrameServer.bind(odd)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unixServerRemovesItsSocketFileAndRefusesAnExistingOne() throws Exception {
        Path path = f.tempDir().resolve("server.sock");
        FrameServer server = FrameServer.bind(UnixDomainSocketAddress.of(path), f.config());
        assertThat(Files.exists(path)).isTrue();
        assertThatThrownBy(() -> FrameServer.bind(UnixDomainSocketAddress.of(path), f.config()))
                .isInstanceOf(java.net.BindException.class);
        Future<FrameConn> blocked = f.submitAndAwaitBlocked(server::accept);
        server.close();
        assertThat(Files.exists(path)).isFalse();
        assertThat(server.isOpen()).isFalse();
        assertThatThrownBy(() -> Fixtures.get(blocked)).isInstanceOf(ClosedChannelException.class);
        server.close(); // idempotent
    }

    @Test
    void unixConnectToMissingPathFails() throws Exception {
        Path missing = f.tempDir().resolve("missing.sock");
        assertThatThrownBy(() -> FrameConn.connect(UnixDomainSocketAddress.of(missing), f.config()))
                .isInstanceOf(java.io.IOException.class);
    }
}
