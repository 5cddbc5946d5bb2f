package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.testkit.Fixtures;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
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

    /** What a sender does after writing frame {@code i} (a KeyUpdate, say); nothing by default. */
    interface AfterWrite {
        AfterWrite NOTHING = (sender, i) -> {};

        void run(TlsConnection sender, int i) throws Exception;
    }

    /**
     * Streams {@code frames} frames of {@code length} bytes both ways at once
     * (client to server as type 1, server to client as type 2) and checks that
     * each arrives whole: type, length, and every 4099th and the last byte.
     */
    void streamBothWays(TlsPair p, int frames, int length, AfterWrite afterWrite) throws Exception {
        ByteBuffer payload = ByteBuffer.allocateDirect(length); // direct: the gathering path, like the pool's
        for (int i = 0; i < length; i++) {
            payload.put(i, (byte) (i * 31));
        }
        Future<Integer> serverReads = submit(() -> receive(p.server(), 1, frames, length));
        Future<Integer> clientReads = submit(() -> receive(p.client(), 2, frames, length));
        Future<Integer> serverWrites = submit(() -> send(p.server(), 2, frames, payload, afterWrite));
        send(p.client(), 1, frames, payload, afterWrite);
        assertThat(get(serverWrites)).isEqualTo(frames);
        assertThat(get(serverReads)).isEqualTo(frames);
        assertThat(get(clientReads)).isEqualTo(frames);
    }

    private static int send(TlsConnection sender, int type, int frames, ByteBuffer payload, AfterWrite afterWrite)
            throws Exception {
        for (int i = 0; i < frames; i++) {
            sender.conn().writeFrame(type, payload.duplicate());
            afterWrite.run(sender, i);
        }
        return frames;
    }

    private static int receive(TlsConnection receiver, int type, int frames, int length) throws Exception {
        for (int i = 0; i < frames; i++) {
            try (Frame frame = receiver.conn().readFrame()) {
                assertThat(frame.type()).isEqualTo(type);
                assertThat(frame.length()).isEqualTo(length);
                for (int j = 0; j < length; j += 4099) {
                    assertThat(frame.payload().get(j)).isEqualTo((byte) (j * 31));
                }
                assertThat(frame.payload().get(length - 1)).isEqualTo((byte) ((length - 1) * 31));
            }
        }
        return frames;
    }
}
