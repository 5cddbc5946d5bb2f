package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLI over TLS with mutual authentication, end to end: certificates
 * made at run time by {@link TestCerts}, used by {@code frames listen} and
 * {@code frames send}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliTlsProcessTest {
    @TempDir
    Path dir;

    @Test
    void listenerNamesTheClientAndRefusesAForeignOne() throws Exception {
        TestCerts certs = new TestCerts(dir);
        TestCerts.Ca ca = certs.ca("test CA", "ca.pem");
        Path caFile = ca.pem();
        certs.identity("server", ca, List.of("localhost"));
        certs.identity("backup-client-1", ca, List.of("backup-client-1.example"));
        certs.identity("intruder", certs.ca("rogue CA", "rogue-ca.pem"), List.of());

        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "localhost:0", "--connections", "1",
                "--tls-cert", "server.crt", "--tls-key", "server.key", "--tls-ca", caFile.toString())) {
            String port = listener.nextLine().replaceAll(".*:", "");
            String address = "localhost:" + port;

            // a client whose certificate the listener's CA did not issue: refused, and the listener goes on
            try (CliProcess intruder = CliProcess.start(dir, "frames", "send", address, "--tls-cert", "intruder.crt",
                    "--tls-key", "intruder.key", "--tls-ca", caFile.toString())) {
                intruder.input("1 hex:00\n");
                assertThat(intruder.awaitExit()).as("intruder status; stderr: %s", intruder.stderr()).isNotZero();
                assertThat(listener.awaitLineContaining("tls handshake failed"))
                        .contains("untrusted_certificate").contains("CN=intruder");
            }

            try (CliProcess sender = CliProcess.start(dir, "frames", "send", address, "--tls-cert",
                    "backup-client-1.crt", "--tls-key", "backup-client-1.key", "--tls-ca", caFile.toString())) {
                sender.input("1 hex:68656c6c6f\n2 70000\n");
                assertThat(sender.awaitExit()).as("send status; stderr: %s", sender.stderr()).isZero();
                assertThat(sender.stdoutLines().getLast()).startsWith("shutdown: clean");
            }
            assertThat(listener.awaitExit()).as("listen status; stderr: %s", listener.stderr()).isZero();
            List<String> heard = listener.stdoutLines();
            assertThat(heard).anySatisfy(l -> assertThat(l).startsWith("conn 1 accepted from ")
                    .endsWith("client CN=backup-client-1 DNS=backup-client-1.example"));
            assertThat(heard).anySatisfy(l -> assertThat(l).startsWith("conn 1 frame type=0x00000002 length=70000"));
            assertThat(heard).anySatisfy(l -> assertThat(l).startsWith("conn 1 end: peer_shutdown"));
            assertThat(heard.getLast()).startsWith("conn 1 shutdown: clean");
        }
    }

    @Test
    void incompleteTlsOptionsAreAUsageError() throws Exception {
        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "127.0.0.1:0", "--tls-cert", "x.crt")) {
            assertThat(listener.awaitExit()).isEqualTo(ExitCode.USAGE);
            assertThat(listener.stderr()).contains("--tls-cert", "--tls-key", "--tls-ca");
        }
    }
}
