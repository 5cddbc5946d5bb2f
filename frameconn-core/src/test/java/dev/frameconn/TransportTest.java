package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.testkit.Fixtures;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connecting, listening and accepting over TCP and Unix domain sockets. */
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
