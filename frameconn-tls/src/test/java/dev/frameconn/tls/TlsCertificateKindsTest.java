package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.frameconn.tls.TlsHandshakeException.Reason;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Certificates of other shapes than the plain leaf under the root: chains through an
 * intermediate CA (sent or not), certificates not yet valid, and extended key usages that
 * forbid the role the certificate is used in. Both sides trust only the root.
 */
class TlsCertificateKindsTest {
    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    private static final TestPki ROOT = TlsFixtures.PKI;
    private static final TestPki INTERMEDIATE = ROOT.intermediate("frameconn test intermediate CA");

    /** A side presenting {@code chain} (its leaf first) with {@code self}'s key, trusting only the root. */
    private static TlsConfig config(TestPki.Credential self, X509Certificate... chain) {
        return new TlsConfig(List.of(chain), self.keys().getPrivate(), List.of(ROOT.ca.certificate()),
                List.of(TlsConfig.TLS_1_3), Duration.ofSeconds(10), true, null, 16);
    }

    private static TestPki.Credential serverUnder(TestPki ca, Instant[] validity, KeyPurposeId... purposes) {
        return ca.issue("server", List.of("localhost"), List.of("127.0.0.1"), validity, TestPki.ec(), purposes);
    }

    private static TestPki.Credential clientUnder(TestPki ca, Instant[] validity, KeyPurposeId... purposes) {
        return ca.issue("chained-client", List.of("chained-client.clients.test"), List.of(), validity,
                TestPki.ec(), purposes);
    }

    private record Outcome(Throwable server, Throwable client) {}

    /** One connection attempt; the client reads once, since TLS 1.3 reports a client rejection after its handshake. */
    private Outcome attempt(TlsConfig clientTls, TlsConfig serverTls) throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), serverTls, f.config())) {
            Future<TlsHandshakeException> verdict = f.submit(() -> {
                try (TlsConnection unexpected = server.accept()) {
                    throw new AssertionError("server accepted " + unexpected);
                } catch (TlsHandshakeException e) {
                    return e;
                }
            });
            Throwable client = catchThrowable(() -> {
                try (TlsConnection c = TlsFrameConn.connect((InetSocketAddress) server.localAddress(), clientTls,
                        f.config())) {
                    c.conn().readFrame().close();
                }
            });
            return new Outcome(TlsFixtures.get(verdict), client);
        }
    }

    private static void assertReason(Throwable t, Reason reason, String... messageParts) {
        assertThat(t).isInstanceOf(TlsHandshakeException.class);
        TlsHandshakeException e = (TlsHandshakeException) t;
        assertThat(e.reason()).as("reason of: %s", e.getMessage()).isEqualTo(reason);
        if (messageParts.length > 0) {
            assertThat(e.getMessage()).contains(messageParts);
        }
    }

    // ---------------------------------------------------------------- intermediate CA

    @Test
    void serverChainThroughAnIntermediateIsTrustedWhenTheIntermediateIsSent() throws Exception {
        TestPki.Credential server = serverUnder(INTERMEDIATE, TestPki.validNow(),
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        TlsConfig serverTls = config(server, server.certificate(), INTERMEDIATE.ca.certificate());
        try (TlsFrameServer s = TlsFrameServer.bind(TlsFixtures.loopback(), serverTls, f.config())) {
            f.assertServes(s, TlsFixtures.clientTls(), 5);
        }
    }

    @Test
    void clientChainThroughAnIntermediateIsTrustedWhenTheIntermediateIsSent() throws Exception {
        TestPki.Credential client = clientUnder(INTERMEDIATE, TestPki.validNow(),
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        TlsConfig clientTls = config(client, client.certificate(), INTERMEDIATE.ca.certificate());
        try (TlsFrameServer s = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(), f.config())) {
            f.assertServes(s, clientTls, 6);
        }
    }

    /**
     * Documented behaviour: the JDK does not fetch a missing intermediate (no AIA fetching), so a
     * chain sent without its intermediate does not lead to the root: untrusted, on the side that
     * checks it, and the other side hears it was rejected.
     */
    @Test
    void serverChainWithoutItsIntermediateIsUntrusted() throws Exception {
        TestPki.Credential server = serverUnder(INTERMEDIATE, TestPki.validNow(),
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        Outcome o = attempt(TlsFixtures.clientTls(), config(server, server.certificate()));
        assertReason(o.client(), Reason.UNTRUSTED_CERTIFICATE, "server certificate",
                "issuer=CN=frameconn test intermediate CA");
        assertReason(o.server(), Reason.REJECTED_BY_PEER);
    }

    @Test
    void clientChainWithoutItsIntermediateIsUntrusted() throws Exception {
        TestPki.Credential client = clientUnder(INTERMEDIATE, TestPki.validNow(),
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        Outcome o = attempt(config(client, client.certificate()), TlsFixtures.serverTls());
        assertReason(o.server(), Reason.UNTRUSTED_CERTIFICATE, "client certificate",
                "issuer=CN=frameconn test intermediate CA");
        assertReason(o.client(), Reason.REJECTED_BY_PEER);
    }

    // ---------------------------------------------------------------- not yet valid

    @Test
    void serverCertificateNotYetValidIsRefusedAsOutsideItsValidity() throws Exception {
        TestPki.Credential server = serverUnder(ROOT, TestPki.notYetValid(),
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        Outcome o = attempt(TlsFixtures.clientTls(), config(server, server.certificate()));
        assertReason(o.client(), Reason.EXPIRED_CERTIFICATE, "server certificate", "notBefore="
                + server.certificate().getNotBefore().toInstant());
        assertReason(o.server(), Reason.REJECTED_BY_PEER);
    }

    @Test
    void clientCertificateNotYetValidIsRefusedAsOutsideItsValidity() throws Exception {
        TestPki.Credential client = clientUnder(ROOT, TestPki.notYetValid(),
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        Outcome o = attempt(config(client, client.certificate()), TlsFixtures.serverTls());
        assertReason(o.server(), Reason.EXPIRED_CERTIFICATE, "client certificate", "CN=chained-client",
                "notBefore=" + client.certificate().getNotBefore().toInstant());
        assertReason(o.client(), Reason.REJECTED_BY_PEER);
    }

    // ---------------------------------------------------------------- extended key usage

    /**
     * A certificate for clients only, used by a server: the client's PKIX check refuses it, and
     * the reason is WRONG_KEY_USAGE (not UNTRUSTED_CERTIFICATE: its CA is trusted), with the
     * usage it has and the one it lacks named.
     */
    @Test
    void serverCertificateForClientAuthOnlyIsRefused() throws Exception {
        TestPki.Credential server = serverUnder(ROOT, TestPki.validNow(), KeyPurposeId.id_kp_clientAuth);
        Outcome o = attempt(TlsFixtures.clientTls(), config(server, server.certificate()));
        assertReason(o.client(), Reason.WRONG_KEY_USAGE, "server certificate",
                "extended key usage=[clientAuth]", "does not allow serverAuth");
        assertReason(o.server(), Reason.REJECTED_BY_PEER);
    }

    @Test
    void clientCertificateForServerAuthOnlyIsRefused() throws Exception {
        TestPki.Credential client = clientUnder(ROOT, TestPki.validNow(), KeyPurposeId.id_kp_serverAuth);
        Outcome o = attempt(config(client, client.certificate()), TlsFixtures.serverTls());
        assertReason(o.server(), Reason.WRONG_KEY_USAGE, "client certificate",
                "extended key usage=[serverAuth]", "does not allow clientAuth");
        assertReason(o.client(), Reason.REJECTED_BY_PEER);
    }
}
