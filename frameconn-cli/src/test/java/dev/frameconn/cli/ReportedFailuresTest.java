package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Failures that a shared helper reports ({@link TlsOptions#loadFor} for TLS
 * files that cannot be used, {@link TransferOptions#startMetrics} for a
 * metrics address in use) end their command with one line on standard error
 * and their own status: no stack trace, no help hint, nothing on standard
 * output. Run in process through {@link Main#commandLine()}, as the tool runs.
 */
class ReportedFailuresTest {
    @TempDir
    Path dir;

    /** What one run printed, and its status. */
    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "frames listen | 127.0.0.1:0",
        "frames send   | 127.0.0.1:1",
        "recv          | --listen 127.0.0.1:0",
        "send          | 127.0.0.1:1 --input /dev/null",
    })
    void unusableTlsFilesAreOneLineAndStatus2(String command, String rest) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not PEM\n");
        List<String> args = new ArrayList<>(List.of((command + " " + rest).split(" ")));
        args.addAll(List.of("--tls-cert", junk.toString(), "--tls-key", junk.toString(), "--tls-ca",
                junk.toString()));

        Run r = run(args.toArray(String[]::new));

        assertThat(r.status()).isEqualTo(ExitCode.USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("frameconn " + command + ": cannot use the TLS files: file=" + junk)
                .contains("holds no PEM block").endsWith("\n");
        assertThat(r.err().lines()).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "recv | --listen 127.0.0.1:0",
        "send | 127.0.0.1:1 --input /dev/null",
    })
    void aMetricsAddressInUseIsOneLineAndStatus4(String command, String rest) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String at = "127.0.0.1:" + taken.getLocalPort();
            List<String> args = new ArrayList<>(List.of((command + " " + rest).split(" ")));
            args.addAll(List.of("--metrics", at, "--progress", "never"));

            Run r = run(args.toArray(String[]::new));

            assertThat(r.status()).isEqualTo(TransferExit.UNAVAILABLE);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).startsWith("frameconn " + command + ": cannot serve metrics on " + at + ": ")
                    .endsWith("\n");
            assertThat(r.err().lines()).hasSize(1);
        }
    }
}
