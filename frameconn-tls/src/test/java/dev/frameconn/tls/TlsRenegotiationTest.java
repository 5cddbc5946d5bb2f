package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.frameconn.Frame;
import dev.frameconn.tls.TlsHandshakeException.Reason;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TLS 1.2 renegotiation is refused, from whichever side it comes, with a
 * specific failure and an aborted connection; TLS 1.3's post-handshake
 * messages (a KeyUpdate a JDK peer sends when asked for a new handshake, the
 * session tickets) are not mistaken for it. The peers that try are plain JDK
 * {@link SSLSocket}s, which renegotiate when {@code startHandshake()} is
 * called again.
 */
class TlsRenegotiationTest {
    /** Refusals come at once; generous slack for a busy machine, far below the sockets' read timeout. */
    private static final long QUICK_MS = 5_000;
    private static final int SO_TIMEOUT_MS = 30_000;

    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    /** A raw JDK client with the test client's certificate, offering only {@code protocol}. */
    private SSLSocket rawClient(TlsFrameServer server, String protocol) throws IOException {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        SSLSocket socket = (SSLSocket) TlsFixtures.clientTls().withProtocols(protocol).newSslContext()
                .getSocketFactory().createSocket(address.getAddress(), address.getPort());
        f.track(socket);
        socket.setEnabledProtocols(new String[] {protocol});
        socket.setSoTimeout(SO_TIMEOUT_MS);
        return socket;
    }

    private static void writeRawFrame(OutputStream out, int type, byte[] payload) throws IOException {
        byte[] frame = new byte[8 + payload.length];
        ByteBuffer.wrap(frame).putInt(type).putInt(payload.length).put(payload);
        out.write(frame);
        out.flush();
    }

    /** Reads one frame and returns its type; checks the payload. */
    private static int readRawFrame(DataInputStream in, byte[] expected) throws IOException {
        int type = in.readInt();
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        assertThat(payload).isEqualTo(expected);
        return type;
    }

    private static void assertRefused(Throwable t, String... messageParts) {
        assertThat(t).isInstanceOf(TlsHandshakeException.class);
        TlsHandshakeException e = (TlsHandshakeException) t;
        assertThat(e.reason()).as("reason of: %s", e.getMessage()).isEqualTo(Reason.RENEGOTIATION_REFUSED);
        assertThat(e.getMessage()).contains("TLSv1.2");
        if (messageParts.length > 0) {
            assertThat(e.getMessage()).contains(messageParts);
        }
    }

    @Test
    void clientInitiatedRenegotiationIsRefusedByTheServer() throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(),
                TlsFixtures.serverTls().withProtocols(TlsConfig.TLS_1_2), f.config())) {
            Future<TlsConnection> accepted = f.submit(server::accept);
            SSLSocket client = rawClient(server, TlsConfig.TLS_1_2);
            client.startHandshake();
            TlsConnection serverSide = f.track(TlsFixtures.get(accepted));
            assertThat(serverSide.protocol()).isEqualTo(TlsConfig.TLS_1_2);

            // a frame each way over the first session
            writeRawFrame(client.getOutputStream(), 7, new byte[] {1, 2, 3});
            try (Frame frame = serverSide.conn().readFrame()) {
                assertThat(frame.type()).isEqualTo(7);
                assertThat(frame.length()).isEqualTo(3);
            }
            serverSide.conn().writeFrame(8, new byte[] {4, 5});
            DataInputStream in = new DataInputStream(client.getInputStream());
            assertThat(readRawFrame(in, new byte[] {4, 5})).isEqualTo(8);

            Future<Frame> serverRead = f.submit(serverSide.conn()::readFrame);
            long start = System.nanoTime();
            // a renegotiation: the client sends a new ClientHello and waits for the server's answer
            Throwable clientSaw = catchThrowable(() -> {
                client.startHandshake();
                assertThat(in.read()).as("after a renegotiation the server should not have allowed").isEqualTo(-1);
            });
            assertThatThrownBy(() -> TlsFixtures.get(serverRead).close())
                    .satisfies(e -> assertRefused(e, "handshake record", "aborted"));
            assertThat(clientSaw).as("the client sees its connection end").satisfiesAnyOf(
                    t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(IOException.class));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(QUICK_MS);

            // the socket was closed at once, and the connection says why to its later users
            assertThat(serverSide.transport().isOpen()).isFalse();
            assertThatThrownBy(() -> serverSide.conn().writeFrame(9, new byte[] {9}))
                    .satisfies(e -> assertRefused(e));
            assertThatThrownBy(() -> serverSide.conn().readFrame().close()).isInstanceOf(IOException.class)
                    .hasRootCauseInstanceOf(TlsHandshakeException.class);
            // and the server goes on serving
            f.assertServes(server, TlsFixtures.clientTls().withProtocols(TlsConfig.TLS_1_2), 3);
        }
    }

    @Test
    void serverInitiatedRenegotiationIsRefusedByTheClient() throws Exception {
        TlsConfig serverTls = TlsFixtures.serverTls().withProtocols(TlsConfig.TLS_1_2);
        try (SSLServerSocket listener = (SSLServerSocket) serverTls.newSslContext().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            listener.setEnabledProtocols(new String[] {TlsConfig.TLS_1_2});
            Future<SSLSocket> rawServer = f.submit(() -> {
                SSLSocket s = (SSLSocket) listener.accept();
                s.setSoTimeout(SO_TIMEOUT_MS);
                s.startHandshake();
                return s;
            });
            TlsConnection client = f.track(TlsFrameConn.connect(new InetSocketAddress(
                    InetAddress.getLoopbackAddress(), listener.getLocalPort()),
                    TlsFixtures.clientTls().withProtocols(TlsConfig.TLS_1_2), f.config()));
            SSLSocket server = f.track(TlsFixtures.get(rawServer));
            assertThat(client.protocol()).isEqualTo(TlsConfig.TLS_1_2);

            client.conn().writeFrame(7, new byte[] {1});
            DataInputStream in = new DataInputStream(server.getInputStream());
            assertThat(readRawFrame(in, new byte[] {1})).isEqualTo(7);

            Future<Frame> clientRead = f.submit(client.conn()::readFrame);
            // the server sends HelloRequest and waits for the client's new ClientHello
            Future<Throwable> serverSaw = f.submit(() -> catchThrowable(() -> {
                server.startHandshake();
                assertThat(in.read()).isEqualTo(-1);
            }));
            assertThatThrownBy(() -> TlsFixtures.get(clientRead).close())
                    .satisfies(e -> assertRefused(e, "handshake record"));
            assertThat(TlsFixtures.get(serverSaw)).satisfiesAnyOf(
                    t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(IOException.class));
            assertThat(client.transport().isOpen()).isFalse();
        }
    }

    @Test
    void tls13KeyUpdateFromAJdkClientIsNotARenegotiation() throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(),
                f.config())) {
            Future<TlsConnection> accepted = f.submit(server::accept);
            SSLSocket client = rawClient(server, TlsConfig.TLS_1_3);
            client.startHandshake();
            TlsConnection serverSide = f.track(TlsFixtures.get(accepted));
            assertThat(serverSide.protocol()).isEqualTo(TlsConfig.TLS_1_3);
            DataInputStream in = new DataInputStream(client.getInputStream());
            byte[] payload = TlsFixtures.pattern(100_000, 1);
            for (int round = 0; round < 4; round++) {
                // on an established TLS 1.3 session the JDK sends a KeyUpdate (update_requested) instead
                client.startHandshake();
                writeRawFrame(client.getOutputStream(), round + 1, payload);
                try (Frame frame = serverSide.conn().readFrame()) {
                    assertThat(frame.type()).isEqualTo(round + 1);
                    assertThat(frame.length()).isEqualTo(payload.length);
                }
                // the server's reader answered the KeyUpdate; its writes use the new keys
                serverSide.conn().writeFrame(round + 11, payload);
                assertThat(readRawFrame(in, payload)).isEqualTo(round + 11);
            }
            assertThat(serverSide.transport().isOpen()).isTrue();
        }
    }

    @Test
    void longTls12TransferBothWaysIsNotMistakenForRenegotiation() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair(TlsFixtures.clientTls().withProtocols(TlsConfig.TLS_1_2),
                TlsFixtures.serverTls().withProtocols(TlsConfig.TLS_1_2), f.config(), f.config());
        assertThat(p.client().protocol()).isEqualTo(TlsConfig.TLS_1_2);
        f.streamBothWays(p, 40, 256 << 10, TlsFixtures.AfterWrite.NOTHING);
        // and the TLS 1.2 close (close_notify answered by the engine) is not taken for a handshake either
        Future<dev.frameconn.ShutdownResult> serverShutdown = f.submit(() -> p.server().conn().shutdown());
        assertThat(p.client().conn().shutdown().clean()).isTrue();
        assertThat(TlsFixtures.get(serverShutdown).clean()).isTrue();
    }

    /**
     * A frame and a renegotiation's ClientHello that reach the server in one
     * TCP write, so that one read of the server takes both records: the
     * application record is delivered, the handshake record after it is still
     * refused. The client's TLS runs over a socket whose output a test holds
     * back, then sends in one piece.
     */
    @Test
    // the renegotiation blocks until the fixture closes the socket; catchThrowable drops its outcome on purpose
    @SuppressWarnings("FutureReturnValueIgnored")
    void handshakeRecordCoalescedWithApplicationDataIsRefused() throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(),
                TlsFixtures.serverTls().withProtocols(TlsConfig.TLS_1_2), f.config())) {
            Future<TlsConnection> accepted = f.submit(server::accept);
            HeldSocket plain = f.track(new HeldSocket());
            plain.connect(server.localAddress());
            plain.setSoTimeout(SO_TIMEOUT_MS);
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            SSLSocket client = f.track((SSLSocket) TlsFixtures.clientTls().withProtocols(TlsConfig.TLS_1_2)
                    .newSslContext().getSocketFactory().createSocket(plain, address.getHostString(),
                            address.getPort(), true));
            client.setEnabledProtocols(new String[] {TlsConfig.TLS_1_2});
            client.startHandshake();
            TlsConnection serverSide = f.track(TlsFixtures.get(accepted));

            plain.held.hold();
            writeRawFrame(client.getOutputStream(), 7, new byte[] {1, 2, 3});
            f.submit(() -> catchThrowable(client::startHandshake)); // blocks for an answer that never comes
            plain.held.releaseOnceItHolds(RECORD_HANDSHAKE); // both records, in one write

            try (Frame frame = serverSide.conn().readFrame()) {
                assertThat(frame.type()).isEqualTo(7);
                assertThat(frame.length()).isEqualTo(3);
            }
            assertThatThrownBy(() -> serverSide.conn().readFrame().close())
                    .satisfies(e -> assertRefused(e, "handshake record", "aborted"));
            assertThat(serverSide.transport().isOpen()).isFalse();
        }
    }

    private static final int RECORD_HANDSHAKE = 0x16;

    /** A plain socket whose output can be held back and then sent in one write. */
    private static final class HeldSocket extends java.net.Socket {
        final HeldOutput held = new HeldOutput();

        @Override
        public OutputStream getOutputStream() throws IOException {
            held.attach(super.getOutputStream());
            return held;
        }
    }

    private static final class HeldOutput extends OutputStream {
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        private final java.util.concurrent.locks.Condition wrote = lock.newCondition();
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
        private final java.util.List<Integer> recordTypes = new java.util.ArrayList<>();
        private OutputStream out;
        private boolean holding;

        void attach(OutputStream real) {
            lock.lock();
            try {
                out = real;
            } finally {
                lock.unlock();
            }
        }

        void hold() {
            lock.lock();
            try {
                holding = true;
            } finally {
                lock.unlock();
            }
        }

        /** Waits until a held write began with a record of {@code type}, then sends all held bytes at once. */
        void releaseOnceItHolds(int type) throws Exception {
            lock.lock();
            try {
                long left = TimeUnit.SECONDS.toNanos(SO_TIMEOUT_MS / 1000);
                while (!recordTypes.contains(type)) {
                    if (left <= 0) {
                        throw new AssertionError("no record of type=" + type + " was written; saw " + recordTypes);
                    }
                    left = wrote.awaitNanos(left);
                }
                holding = false;
                out.write(pending.toByteArray());
                out.flush();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            lock.lock();
            try {
                if (!holding) {
                    out.write(b, off, len);
                    return;
                }
                if (len > 0) {
                    recordTypes.add(b[off] & 0xff);
                }
                pending.write(b, off, len);
                wrote.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void flush() throws IOException {
            lock.lock();
            try {
                if (!holding) {
                    out.flush();
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
