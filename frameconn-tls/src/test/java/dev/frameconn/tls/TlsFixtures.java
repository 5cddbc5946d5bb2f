package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.testkit.Fixtures;
import java.net.InetSocketAddress;
import java.util.concurrent.Future;

/**
 * The core's {@link Fixtures} (real sockets, leak checks after each test) plus
 * what TLS needs: a CA made at run time, and connected pairs over loopback with
 * mutual authentication.
 */
final class TlsFixtures extends Fixtures {
    /** One CA for the whole run: making keys is the slow part. */
    static final TestPki PKI = TestPki.create("frameconn test CA");
    static final TestPki.Credential SERVER = PKI.server();
    static final TestPki.Credential CLIENT = PKI.client("backup-client-1");

    static TlsConfig serverTls() {
        return PKI.config(SERVER);
    }

    static TlsConfig clientTls() {
        return PKI.config(CLIENT);
    }

    /** A client and its accepted server connection. */
    record TlsPair(TlsConnection client, TlsConnection server) {}

    TlsPair tlsPair() throws Exception {
        return tlsPair(clientTls(), serverTls(), config(), config());
    }

    TlsPair tlsPair(TlsConfig clientTls, TlsConfig serverTls, FrameConnConfig clientConfig,
            FrameConnConfig serverConfig) throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(loopback(), serverTls, serverConfig)) {
            Future<TlsConnection> accepted = submit(server::accept);
            TlsConnection client = track(TlsFrameConn.connect((InetSocketAddress) server.localAddress(), clientTls,
                    clientConfig));
            return new TlsPair(client, track(get(accepted)));
        }
    }

    /** Connects a client with {@code clientTls} to {@code server}, sends a frame of {@code type}, checks it arrives. */
    void assertServes(TlsFrameServer server, TlsConfig clientTls, int type) throws Exception {
        Future<TlsConnection> accepted = submit(server::accept);
        try (TlsConnection client = TlsFrameConn.connect((InetSocketAddress) server.localAddress(), clientTls,
                config());
                TlsConnection serverSide = get(accepted)) {
            client.conn().writeFrame(type, new byte[] {(byte) type});
            try (Frame frame = serverSide.conn().readFrame()) {
                assertThat(frame.type()).isEqualTo(type);
            }
        }
    }
}
