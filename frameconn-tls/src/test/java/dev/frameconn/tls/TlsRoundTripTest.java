package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.ShutdownResult;
import java.nio.ByteBuffer;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Frames over TLS in both directions, the identities each side sees, and the shutdown handshake. */
class TlsRoundTripTest {
    private static final int[] SIZES = {0, 1, 7, 8, 100, 8 << 10, (8 << 10) + 1, 16 << 10, (16 << 10) + 3,
        100_000, 1 << 20, (4 << 20) + 5};

    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    @Test
    void framesOfEverySizeGoBothWays() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        assertThat(p.client().protocol()).isEqualTo("TLSv1.3");
        transfer(p.client().conn(), p.server().conn());
        transfer(p.server().conn(), p.client().conn());
    }

    private void transfer(FrameConn from, FrameConn to) throws Exception {
        Future<Void> reader = f.submit(() -> {
            for (int i = 0; i < SIZES.length; i++) {
                try (Frame frame = to.readFrame()) {
                    assertThat(frame.type()).isEqualTo(i + 1);
                    byte[] got = new byte[frame.length()];
                    frame.payload().get(got);
                    assertThat(got).as("frame %d of %d bytes", i, SIZES[i]).isEqualTo(TlsFixtures.pattern(SIZES[i], i));
                }
            }
            return null;
        });
        for (int i = 0; i < SIZES.length; i++) {
            // direct buffers take the gathering path for large payloads, like the pool's
            byte[] bytes = TlsFixtures.pattern(SIZES[i], i);
            ByteBuffer payload = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            from.writeFrame(i + 1, payload);
            assertThat(payload.remaining()).isEqualTo(bytes.length);
        }
        TlsFixtures.get(reader);
    }

    @Test
    void serverSeesTheClientsIdentityAndClientSeesTheServers() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        PeerIdentity client = p.server().peerIdentity();
        assertThat(client.commonName()).isEqualTo("backup-client-1");
        assertThat(client.dnsNames()).containsExactly("backup-client-1.clients.test");
        assertThat(client.names()).containsExactly("backup-client-1", "backup-client-1.clients.test");
        assertThat(client.subject().getName()).isEqualTo("CN=backup-client-1,O=frameconn tests");
        PeerIdentity server = p.client().peerIdentity();
        assertThat(server.commonName()).isEqualTo("server");
        assertThat(server.dnsNames()).containsExactly("localhost");
        assertThat(server.ipAddresses()).containsExactly("127.0.0.1");
        assertThat(p.server().toString()).contains("CN=backup-client-1");
    }

    @Test
    void fullDuplexLargeTransfersDoNotBlockEachOther() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        f.streamBothWays(p, 64, 256 << 10, TlsFixtures.AfterWrite.NOTHING);
    }

    @Test
    void concurrentWritersOfSmallFramesNeverInterleave() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        int writers = 4;
        int perWriter = 2_000;
        Future<int[]> reader = f.submit(() -> {
            int[] next = new int[writers];
            for (int i = 0; i < writers * perWriter; i++) {
                try (Frame frame = p.server().conn().readFrame()) {
                    int w = frame.type() - 1;
                    // each writer's frames arrive whole and in its order: payload = its sequence number
                    assertThat(frame.length()).isEqualTo(4 + w * 100);
                    assertThat(frame.payload().getInt(0)).isEqualTo(next[w]++);
                }
            }
            return next;
        });
        java.util.List<Future<Void>> sent = new java.util.ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            sent.add(f.submit(() -> {
                ByteBuffer payload = ByteBuffer.allocate(4 + writer * 100);
                for (int i = 0; i < perWriter; i++) {
                    payload.putInt(0, i);
                    p.client().conn().writeFrame(writer + 1, payload);
                }
                return null;
            }));
        }
        for (Future<Void> s : sent) {
            TlsFixtures.get(s);
        }
        p.client().conn().flush();
        assertThat(TlsFixtures.get(reader)).containsOnly(perWriter);
    }

    @ParameterizedTest
    @ValueSource(strings = {TlsConfig.TLS_1_3, TlsConfig.TLS_1_2})
    void shutdownHandshakeIsCleanOnBothSides(String protocol) throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair(TlsFixtures.clientTls().withProtocols(protocol),
                TlsFixtures.serverTls().withProtocols(TlsConfig.TLS_1_3, TlsConfig.TLS_1_2), f.config(), f.config());
        assertThat(p.client().protocol()).isEqualTo(protocol);
        // data in flight both ways when the client shuts down: none of it may be lost before the RST
        p.client().conn().writeFrame(1, TlsFixtures.pattern(100_000, 1));
        p.server().conn().writeFrame(2, TlsFixtures.pattern(100_000, 2));
        Future<ShutdownResult> server = f.submit(() -> {
            try (Frame frame = p.server().conn().readFrame()) {
                assertThat(frame.length()).isEqualTo(100_000);
            }
            assertThatThrownBy(p.server().conn()::readFrame).isInstanceOf(ConnectionShutdownException.class);
            return p.server().conn().shutdown();
        });
        try (Frame frame = p.client().conn().readFrame()) {
            assertThat(frame.length()).isEqualTo(100_000);
        }
        ShutdownResult client = p.client().conn().shutdown();
        assertThat(client.clean()).as("client: %s", client).isTrue();
        ShutdownResult serverResult = TlsFixtures.get(server);
        assertThat(serverResult.clean()).as("server: %s", serverResult).isTrue();
        assertThat(serverResult.peerInitiated()).isTrue();
    }

    @Test
    void serverCanShutDownFirst() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        Future<ShutdownResult> client = f.submit(() -> {
            assertThatThrownBy(p.client().conn()::readFrame).isInstanceOf(ConnectionShutdownException.class);
            return p.client().conn().shutdown();
        });
        ShutdownResult server = p.server().conn().shutdown();
        assertThat(server.clean()).as("server: %s", server).isTrue();
        assertThat(TlsFixtures.get(client).clean()).isTrue();
    }

    @Test
    void closeWithoutShutdownIsEndOfStreamAtTheFrameBoundary() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        p.client().conn().writeFrame(3, new byte[] {9});
        p.client().close();
        try (Frame frame = p.server().conn().readFrame()) {
            assertThat(frame.type()).isEqualTo(3);
        }
        assertThatThrownBy(p.server().conn()::readFrame).isInstanceOf(EndOfStreamException.class);
    }
}
