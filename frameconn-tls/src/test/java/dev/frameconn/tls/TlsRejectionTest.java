package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameProtocolException;
import dev.frameconn.FrameServer;
import dev.frameconn.tls.TlsHandshakeException.Reason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every way a handshake can fail gives a specific {@link TlsHandshakeException}
 * on each side, quickly, and the server goes on serving other clients.
 */
class TlsRejectionTest {
    /** Failures that do not wait for a timeout must come well before it (generous slack for a busy machine). */
    private static final long QUICK_MS = 5_000;
    private static final Duration SHORT_HANDSHAKE = Duration.ofMillis(700);

    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    /** The server's verdict on one client, and what the client saw. */
    private record Outcome(TlsHandshakeException server, Throwable client, long clientMillis) {}

    /**
     * Connects with {@code clientTls} to a server with {@code serverTls}; the
     * client also reads once, since with TLS 1.3 the server's rejection of
     * the client's certificate arrives after the client's handshake.
     * Afterwards checks that the same server still accepts a good client.
     */
    private Outcome attempt(TlsConfig clientTls, TlsConfig serverTls) throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), serverTls, f.config())) {
            Future<TlsHandshakeException> verdict = f.submit(() -> {
                try (TlsConnection unexpected = server.accept()) {
                    throw new AssertionError("server accepted " + unexpected);
                } catch (TlsHandshakeException e) {
                    return e;
                }
            });
            long start = System.nanoTime();
            Throwable clientFailure = catchThrowable(() -> {
                try (TlsConnection c = TlsFrameConn.connect(address(server), clientTls, f.config())) {
                    c.conn().readFrame().close();
                }
            });
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            TlsHandshakeException serverFailure = TlsFixtures.get(verdict);
            if (serverTls.equals(TlsFixtures.serverTls())) {
                assertGoodClientIsServed(server);
            }
            return new Outcome(serverFailure, clientFailure, millis);
        }
    }

    /** The server still serves a client that offers both versions. */
    private void assertGoodClientIsServed(TlsFrameServer server) throws Exception {
        f.assertServes(server, TlsFixtures.clientTls().withProtocols(TlsConfig.TLS_1_3, TlsConfig.TLS_1_2), 7);
    }

    private static InetSocketAddress address(TlsFrameServer server) {
        return (InetSocketAddress) server.localAddress();
    }

    private static void assertReason(Throwable t, Reason reason, String... messageParts) {
        assertThat(t).isInstanceOf(TlsHandshakeException.class);
        TlsHandshakeException e = (TlsHandshakeException) t;
        assertThat(e.reason()).as("reason of: %s", e.getMessage()).isEqualTo(reason);
        if (messageParts.length > 0) {
            assertThat(e.getMessage()).contains(messageParts);
        }
    }

    @Test
    void clientCertificateFromAForeignCaIsUntrusted() throws Exception {
        TestPki foreign = TestPki.create("some other CA");
        TlsConfig client = foreign.config(foreign.client("intruder"))
                .withTrustedCertificates(List.of(TlsFixtures.PKI.ca.certificate()));
        Outcome o = attempt(client, TlsFixtures.serverTls());
        assertReason(o.server(), Reason.UNTRUSTED_CERTIFICATE, "CN=intruder", "CN=some other CA");
        assertReason(o.client(), Reason.REJECTED_BY_PEER, "rejected this side's certificate");
        assertThat(o.clientMillis()).isLessThan(QUICK_MS);
    }

    @Test
    void expiredClientCertificateIsRejectedAsExpired() throws Exception {
        TestPki.Credential expired = TlsFixtures.PKI.issue("old-client", List.of(), List.of(), TestPki.expired(),
                TestPki.ec());
        Outcome o = attempt(TlsFixtures.PKI.config(expired), TlsFixtures.serverTls());
        assertReason(o.server(), Reason.EXPIRED_CERTIFICATE, "CN=old-client", "notAfter=");
        assertReason(o.client(), Reason.REJECTED_BY_PEER);
        assertThat(o.clientMillis()).isLessThan(QUICK_MS);
    }

    @Test
    void clientWithoutCertificateIsRejected() throws Exception {
        Outcome o = attempt(TlsFixtures.clientTls().withoutIdentity(), TlsFixtures.serverTls());
        assertReason(o.server(), Reason.NO_CLIENT_CERTIFICATE);
        assertReason(o.client(), Reason.REJECTED_BY_PEER, "requires a client certificate");
    }

    @Test
    void serverCertificateFromAForeignCaIsUntrusted() throws Exception {
        TestPki foreign = TestPki.create("rogue CA");
        TlsConfig server = foreign.config(foreign.server()).withTrustedCertificates(
                List.of(TlsFixtures.PKI.ca.certificate()));
        Outcome o = attempt(TlsFixtures.clientTls(), server);
        assertReason(o.client(), Reason.UNTRUSTED_CERTIFICATE, "server certificate", "CN=rogue CA");
        assertReason(o.server(), Reason.REJECTED_BY_PEER);
        assertThat(o.clientMillis()).isLessThan(QUICK_MS);
    }

    @Test
    void expiredServerCertificateIsRejectedAsExpired() throws Exception {
        TestPki.Credential expired = TlsFixtures.PKI.issue("server", List.of("localhost"), List.of("127.0.0.1"),
                TestPki.expired(), TestPki.ec());
        Outcome o = attempt(TlsFixtures.clientTls(), TlsFixtures.PKI.config(expired));
        assertReason(o.client(), Reason.EXPIRED_CERTIFICATE, "notAfter=");
        assertReason(o.server(), Reason.REJECTED_BY_PEER);
    }

    @Test
    void serverCertificateForAnotherHostIsAHostnameMismatch() throws Exception {
        TestPki.Credential elsewhere = TlsFixtures.PKI.issue("backup.example", List.of("backup.example"), List.of(),
                TestPki.validNow(), TestPki.ec());
        Outcome o = attempt(TlsFixtures.clientTls(), TlsFixtures.PKI.config(elsewhere));
        assertReason(o.client(), Reason.HOSTNAME_MISMATCH, "host=127.0.0.1");
        assertReason(o.server(), Reason.REJECTED_BY_PEER);

        // the name the operator expects, as zrepl's server_cn: accepted
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.PKI.config(elsewhere),
                f.config())) {
            Future<TlsConnection> accepted = f.submit(server::accept);
            try (TlsConnection c = TlsFrameConn.connect(address(server),
                    TlsFixtures.clientTls().withServerName("backup.example"), f.config());
                    TlsConnection s = TlsFixtures.get(accepted)) {
                assertThat(c.peerIdentity().commonName()).isEqualTo("backup.example");
                assertThat(s.peerIdentity().commonName()).isEqualTo("backup-client-1");
            }
        }
    }

    @Test
    void noCommonProtocolVersion() throws Exception {
        Outcome o = attempt(TlsFixtures.clientTls().withProtocols(TlsConfig.TLS_1_2), TlsFixtures.serverTls());
        assertReason(o.server(), Reason.NO_COMMON_PARAMETERS);
        assertReason(o.client(), Reason.NO_COMMON_PARAMETERS);
    }

    @Test
    void plainFrameconnClientTalkingToTlsListener() throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(),
                f.config())) {
            Future<TlsConnection> verdict = f.submit(server::accept);
            long start = System.nanoTime();
            try (FrameConn plain = FrameConn.connect(server.localAddress(), f.config())) {
                plain.writeFrame(1, new byte[] {1, 2, 3});
                assertThatThrownBy(() -> TlsFixtures.get(verdict)).satisfies(e -> assertReason(e, Reason.NOT_TLS,
                        "00 00 00 01 00 00 00 03", "plain frameconn"));
                // the plain side sees its connection end, not a hang
                assertThatThrownBy(plain::readFrame).isInstanceOf(IOException.class);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(QUICK_MS);
            assertGoodClientIsServed(server);
        }
    }

    @Test
    void silentPlainClientTimesOutWithoutHoldingUpOthers() throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(),
                TlsFixtures.serverTls().withHandshakeTimeout(SHORT_HANDSHAKE), f.config());
                SocketChannel silent = SocketChannel.open(server.localAddress())) {
            long start = System.nanoTime();
            // a good client that comes after the silent one is served first
            assertGoodClientIsServed(server);
            assertThatThrownBy(server::accept).satisfies(e -> assertReason(e, Reason.TIMEOUT,
                    "handshakeTimeout=PT0.7S", "sent nothing"));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).isBetween(SHORT_HANDSHAKE.toMillis() - 100, QUICK_MS + SHORT_HANDSHAKE.toMillis());
            // the server closed the silent connection (abortively: it timed out)
            assertThat(catchThrowable(() -> assertThat(silent.read(java.nio.ByteBuffer.allocate(1))).isLessThan(0)))
                    .satisfiesAnyOf(t -> assertThat(t).isNull(), t -> assertThat(t).hasMessageContaining("reset"));
        }
    }

    @Test
    void tlsClientTalkingToPlainFrameconnServer() throws Exception {
        try (FrameServer plain = FrameServer.bind(TlsFixtures.loopback(), f.config())) {
            Future<Throwable> serverSide = f.submit(() -> {
                try (FrameConn conn = plain.accept()) {
                    Throwable t = catchThrowable(() -> conn.readFrame().close());
                    conn.shutdown(Duration.ofSeconds(5)); // as an application does after a protocol error
                    return t;
                }
            });
            long start = System.nanoTime();
            assertThatThrownBy(() -> TlsFrameConn.connect((InetSocketAddress) plain.localAddress(),
                    TlsFixtures.clientTls(), f.config())).satisfies(e -> {
                        assertThat(e).isInstanceOf(TlsHandshakeException.class);
                        assertThat(((TlsHandshakeException) e).reason()).as(e.getMessage())
                                .isIn(Reason.NOT_TLS, Reason.PEER_CLOSED);
                        assertThat(e.getMessage()).contains("plain");
                    });
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(QUICK_MS);
            // the plain server saw a TLS hello as a frame with reserved type bits
            assertThat(TlsFixtures.get(serverSide)).isInstanceOf(FrameProtocolException.class)
                    .hasMessageContaining("0x16030");
        }
    }

    @Test
    void tlsClientTalkingToSilentListenerTimesOut() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(TlsFixtures.loopback());
            Future<SocketChannel> accepted = f.submit(listener::accept);
            long start = System.nanoTime();
            assertThatThrownBy(() -> TlsFrameConn.connect((InetSocketAddress) listener.getLocalAddress(),
                    TlsFixtures.clientTls().withHandshakeTimeout(SHORT_HANDSHAKE), f.config()))
                    .satisfies(e -> assertReason(e, Reason.TIMEOUT, "handshakeTimeout=PT0.7S"));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).isBetween(SHORT_HANDSHAKE.toMillis() - 100, QUICK_MS + SHORT_HANDSHAKE.toMillis());
            TlsFixtures.get(accepted).close();
        }
    }

    @Test
    void closingTheServerAbortsHandshakesInProgressAndEndsItsThreads() throws Exception {
        TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(), f.config());
        try (SocketChannel silent1 = SocketChannel.open(server.localAddress());
                SocketChannel silent2 = SocketChannel.open(server.localAddress())) {
            assertThat(silent1.isConnected() && silent2.isConnected()).isTrue();
            Future<TlsConnection> blocked = f.submit(server::accept);
            long start = System.nanoTime();
            server.close();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(QUICK_MS);
            assertThat(server.threadsRunning()).isZero();
            // AsynchronousCloseException if it was waiting already, else its superclass
            assertThatThrownBy(() -> TlsFixtures.get(blocked))
                    .isInstanceOf(java.nio.channels.ClosedChannelException.class);
            assertThatThrownBy(server::accept).isInstanceOf(java.nio.channels.ClosedChannelException.class);
        }
    }

    /** A ticker whose identity cannot be looked up: makes {@code FrameConn.over} fail after a good handshake. */
    private static final class BrokenTicker implements dev.frameconn.time.Ticker {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public int hashCode() {
            throw new IllegalStateException("broken ticker");
        }

        @Override
        public boolean equals(Object o) {
            return o == this;
        }
    }

    @Test
    void failureAfterTheHandshakeClosesTheSocket() throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(),
                f.config())) {
            // the client's socket is closed, not left to the garbage collector: the server sees the end at once,
            // in its handshake (the client's Finished may be lost to the reset) or in its first read
            Future<Throwable> serverEnd = f.submit(() -> catchThrowable(() -> {
                try (TlsConnection serverSide = server.accept()) {
                    serverSide.conn().readFrame().close();
                }
            }));
            assertThatThrownBy(() -> TlsFrameConn.connect(address(server), TlsFixtures.clientTls(),
                    f.config().withTicker(new BrokenTicker())))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("broken ticker");
            long start = System.nanoTime();
            assertThat(TlsFixtures.get(serverEnd)).isInstanceOf(IOException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("well before the idle timeout")
                    .isLessThan(QUICK_MS);
        }
    }
}
