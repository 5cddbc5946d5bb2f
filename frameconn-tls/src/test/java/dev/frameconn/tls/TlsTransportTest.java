package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport under the connection: half-close as TLS 1.3 and TLS 1.2 each
 * allow it, and post-handshake messages (TLS 1.3 KeyUpdate) answered by the
 * reader while a writer is busy or blocked.
 */
class TlsTransportTest {
    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    private TlsFixtures.TlsPair pair(String protocol) throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair(TlsFixtures.clientTls().withProtocols(protocol),
                TlsFixtures.serverTls().withProtocols(TlsConfig.TLS_1_3, TlsConfig.TLS_1_2), f.config(), f.config());
        assertThat(p.client().protocol()).isEqualTo(protocol);
        return p;
    }

    private static void send(TlsTransport t, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            t.write(b);
        }
    }

    private static String receive(TlsTransport t, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (t.read(b) < 0) {
                throw new java.io.EOFException("after " + b.position() + " of " + length);
            }
        }
        return new String(b.array(), StandardCharsets.UTF_8);
    }

    @Test
    void tls13HalfCloseClosesOneDirectionOnly() throws Exception {
        TlsFixtures.TlsPair p = pair(TlsConfig.TLS_1_3);
        TlsTransport client = p.client().transport();
        TlsTransport server = p.server().transport();
        send(client, "last words");
        client.shutdownOutput();
        assertThat(receive(server, 10)).isEqualTo("last words");
        assertThat(server.read(ByteBuffer.allocate(16))).as("close_notify is end of stream").isEqualTo(-1);
        // the other direction is still open, as after a TCP FIN
        send(server, "still here");
        assertThat(receive(client, 10)).isEqualTo("still here");
        server.shutdownOutput();
        assertThat(client.read(ByteBuffer.allocate(16))).isEqualTo(-1);
        assertThatThrownBy(() -> send(client, "x")).isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }

    @Test
    void tls12CloseNotifyEndsBothDirections() throws Exception {
        TlsFixtures.TlsPair p = pair(TlsConfig.TLS_1_2);
        TlsTransport client = p.client().transport();
        TlsTransport server = p.server().transport();
        send(server, "in flight");
        client.shutdownOutput();
        // what the server sent before it saw our close_notify is still delivered
        assertThat(receive(client, 9)).isEqualTo("in flight");
        assertThat(server.read(ByteBuffer.allocate(16))).isEqualTo(-1);
        // TLS 1.2 has no half-close: the server answered close_notify and cannot write any more
        assertThatThrownBy(() -> send(server, "too late")).isInstanceOf(IOException.class)
                .hasMessageContaining("TLSv1.2").hasMessageContaining("cannot write");
        assertThat(client.read(ByteBuffer.allocate(16))).as("the server's close_notify").isEqualTo(-1);
    }

    @Test
    void keyUpdatesWhileBothDirectionsStream() throws Exception {
        TlsFixtures.TlsPair p = pair(TlsConfig.TLS_1_3);
        // each side asks for new keys every 8 frames, the two out of step
        f.streamBothWays(p, 48, 200_000, (sender, i) -> {
            if (i % 8 == (sender == p.server() ? 0 : 4)) {
                sender.transport().requestKeyUpdate();
            }
        });
    }

    @Test
    void keyUpdateReachingAReaderWhoseWriterIsBlockedIsAnsweredLater() throws Exception {
        TlsFixtures.TlsPair p = pair(TlsConfig.TLS_1_3);
        ByteBuffer big = ByteBuffer.allocateDirect(1 << 20);
        int frames = 24; // far more than the socket buffers hold: the writer blocks until the client reads
        Future<Void> serverWrites = f.submitAndAwaitBlocked(() -> {
            for (int i = 0; i < frames; i++) {
                p.server().conn().writeFrame(2, big.duplicate());
            }
            return null;
        });
        Future<Frame> serverRead = f.submit(p.server().conn()::readFrame);
        // the server's reader takes this KeyUpdate; its answer must wait for the blocked writer
        p.client().transport().requestKeyUpdate();
        p.client().conn().writeFrame(3, new byte[] {3});
        try (Frame frame = TlsFixtures.get(serverRead)) {
            assertThat(frame.type()).isEqualTo(3);
        }
        for (int i = 0; i < frames; i++) {
            p.client().conn().readFrame().close();
        }
        TlsFixtures.get(serverWrites);
        // both directions still work after the keys changed
        p.server().conn().writeFrame(4, new byte[] {4});
        try (Frame frame = p.client().conn().readFrame()) {
            assertThat(frame.type()).isEqualTo(4);
        }
        p.client().conn().writeFrame(5, new byte[] {5});
        try (Frame frame = p.server().conn().readFrame()) {
            assertThat(frame.type()).isEqualTo(5);
        }
    }

    @Test
    void handshakeOfATransportAbortedBeforeItStartsSaysItWasClosed() throws Exception {
        try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open()) {
            listener.bind(TlsFixtures.loopback());
            java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open(listener.getLocalAddress());
            try (java.nio.channels.SocketChannel peer = listener.accept()) {
                TlsTransport transport = new TlsTransport(channel, TlsFrameConn.serverEngine(
                        TlsFixtures.serverTls().newSslContext(), TlsFixtures.serverTls()));
                transport.abort(); // as TlsFrameServer.close() may, between accept and handshake
                assertThatThrownBy(() -> transport.handshake(java.time.Duration.ofSeconds(10)))
                        .isInstanceOf(TlsHandshakeException.class)
                        .hasMessageContaining("closed locally")
                        .hasCauseInstanceOf(java.nio.channels.ClosedChannelException.class);
                assertThat(channel.isOpen()).isFalse();
            }
        }
    }
}
