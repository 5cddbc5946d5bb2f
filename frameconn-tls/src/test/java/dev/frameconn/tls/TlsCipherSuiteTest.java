package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Future;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which cipher suite two frameconn peers agree on, and that peers preferring another still connect. */
class TlsCipherSuiteTest {
    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    @Test
    void frameconnPeersAgreeOnAes128Gcm() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        assertThat(p.client().cipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
        assertThat(p.server().cipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
    }

    @Test
    void aClientThatOffersOnlyAes256GcmGetsIt() throws Exception {
        TlsConfig clientTls = TlsFixtures.clientTls();
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(), f.config())) {
            Future<TlsConnection> accepted = f.submit(server::accept);
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            SSLEngine engine = TlsFrameConn.clientEngine(clientTls.newSslContext(), clientTls,
                    address.getHostString(), address.getPort());
            engine.setEnabledCipherSuites(new String[] {"TLS_AES_256_GCM_SHA384"});
            TlsConnection client = f.track(TlsFrameConn.establish(SocketChannel.open(address), engine, clientTls,
                    f.config()));
            TlsConnection serverSide = f.track(TlsFixtures.get(accepted));
            assertThat(client.cipherSuite()).isEqualTo("TLS_AES_256_GCM_SHA384");
            assertThat(serverSide.cipherSuite()).isEqualTo("TLS_AES_256_GCM_SHA384");
            client.conn().writeFrame(1, new byte[] {1});
            try (var frame = serverSide.conn().readFrame()) {
                assertThat(frame.type()).isEqualTo(1);
            }
        }
    }

    @Test
    void preferenceMovesOnlyAes128GcmToTheFront() {
        String[] jdk = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"};
        assertThat(TlsFrameConn.preferAes128Gcm(jdk)).containsExactly("TLS_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        String[] without = {"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
        assertThat(TlsFrameConn.preferAes128Gcm(without)).containsExactly(without);
    }
}
