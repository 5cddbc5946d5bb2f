package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code frameconn send} and {@code frameconn recv} as real processes over TLS
 * with mutual authentication: certificates from {@link TestCerts}, the data,
 * the identity recv reports, refused senders and the exit statuses.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TransferTlsProcessTest {
    @TempDir
    Path dir;

    private Path caFile;

    private void makeCertificates() throws Exception {
        TestCerts certs = new TestCerts(dir);
        TestCerts.Ca ca = certs.ca("test CA", "ca.pem");
        caFile = ca.pem();
        certs.identity("receiver", ca, List.of("localhost"));
        certs.identity("backup-client-1", ca, List.of("backup-client-1.example", "backup-client-1.internal"));
        certs.identity("intruder", certs.ca("rogue CA", "rogue-ca.pem"), List.of("intruder.example"));
    }

    private String[] tls(String identity) {
        return new String[] {"--tls-cert", identity + ".crt", "--tls-key", identity + ".key",
            "--tls-ca", caFile.toString()};
    }

    private static String[] args(String[] first, String... rest) {
        String[] all = new String[first.length + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void refusedSendersAreReportedAndTheNextGoodOneTransfersTheFile() throws Exception {
        makeCertificates();
        byte[] data = randomBytes(3 << 20);
        Path in = Files.write(dir.resolve("in.bin"), data);
        // big enough that the refused sender is still writing when the refusal arrives, small enough to be buffered
        Path big = Files.write(dir.resolve("big.bin"), randomBytes(4 << 20));
        Path small = Files.write(dir.resolve("small.bin"), randomBytes(100));

        try (CliProcess recv = CliProcess.start(dir, args(new String[] {"recv", "--listen", "localhost:0",
                "--output", "out.bin", "--progress", "never"}, tls("receiver")))) {
            String listening = recv.awaitErrLineContaining("listening on ");
            String address = "localhost:" + listening.replaceAll(".*:", "");

            // TLS 1.3: the intruder finishes its handshake before the receiver checks its certificate, so it
            // learns of the refusal on a read (small input: waiting for the confirmation) or after writes
            // that fail with a reset (big input). Either way: one clear line, status 4.
            for (Path input : List.of(small, big)) {
                try (CliProcess intruder = CliProcess.start(dir, args(new String[] {"send", address,
                        "--input", input.toString(), "--progress", "never"}, tls("intruder")))) {
                    assertThat(intruder.awaitExit()).as("intruder status with %s; stderr: %s", input,
                            intruder.stderr()).isEqualTo(TransferExit.UNAVAILABLE);
                    assertThat(intruder.stderr().lines().toList()).as("intruder stderr").hasSize(1)
                            .first().asString()
                            .startsWith("frameconn send: TLS handshake with the receiver " + address + " failed: ")
                            .contains("rejected_by_peer");
                }
                assertThat(recv.awaitErrLineContaining("tls handshake failed"))
                        .startsWith("frameconn recv: tls handshake failed from ")
                        .contains("untrusted_certificate").contains("CN=intruder")
                        .endsWith("waiting for another sender");
                assertThat(recv.isAlive()).as("recv keeps waiting").isTrue();
            }

            try (CliProcess sender = CliProcess.start(dir, args(new String[] {"send", address,
                    "--input", in.toString(), "--progress", "never"}, tls("backup-client-1")))) {
                assertThat(sender.awaitExit()).as("send status; stderr: %s", sender.stderr()).isZero();
                assertThat(recv.awaitExit()).as("recv status; stderr: %s", recv.stderr()).isZero();
                String sha = Sha256.hex(data);
                assertThat(sender.stderr()).contains("sent " + data.length + " bytes, sha256 " + sha)
                        .contains("verified by the receiver");
                assertThat(recv.stderr())
                        .containsPattern("frameconn recv: accepted from [^ ]+, client CN=backup-client-1 "
                                + "DNS=backup-client-1.example,backup-client-1.internal\n")
                        .contains("received " + data.length + " bytes, sha256 " + sha);
                assertThat(Files.readAllBytes(dir.resolve("out.bin"))).isEqualTo(data);
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
    }

    @Test
    void tlsNeedsAllThreeFilesAndAHostAndPort() throws Exception {
        makeCertificates();
        try (CliProcess recv = CliProcess.start(dir, args(new String[] {"recv", "--listen",
                "unix:" + dir.resolve("s.sock")}, tls("receiver")))) {
            assertThat(recv.awaitExit()).isEqualTo(ExitCode.USAGE);
            assertThat(recv.stderr()).contains("TLS needs a HOST:PORT address");
        }
        try (CliProcess send = CliProcess.start(dir, "send", "localhost:1", "--tls-cert", "receiver.crt",
                "--input", "/dev/null")) {
            assertThat(send.awaitExit()).isEqualTo(ExitCode.USAGE);
            assertThat(send.stderr()).contains("TLS needs all of --tls-cert, --tls-key and --tls-ca");
        }
    }
}
