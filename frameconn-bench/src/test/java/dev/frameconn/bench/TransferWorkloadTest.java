package dev.frameconn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transfer workload end to end on a small file, with the real CLI as
 * processes (from its classes on the test class path: no jar is built) and
 * whichever of nc, socat and mbuffer are installed (.ci/run installs them).
 * Speeds are never asserted.
 */
class TransferWorkloadTest {
    private static final long SMALL = 4 << 20;

    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void everyRowHasItsFieldsAndTheStreamLayerItsReference() throws Exception {
        List<Measurement> rows = workload(TransferWorkload.ORDER, System.getenv("PATH"), p -> {}, null).run(true);

        assertThat(rows).extracting(m -> m.impl.label()).containsExactly("frameconn", "frameconn-pipe", "nc",
                "nc-sha256", "socat", "mbuffer", "frameconn-tls", "socat-tls", "stream-lib", "frameconn");
        for (Measurement m : rows.subList(0, 9)) {
            String json = Report.jsonLine(m);
            assertThat(json).as(json).startsWith("{\"workload\":\"transfer\",\"impl\":\"" + m.impl.label() + "\","
                    + "\"bytes\":" + SMALL + ",");
            if (m.skipped() != null) {
                // only a missing tool may skip a row; it says which
                assertThat(m.impl).isIn(Impl.NC, Impl.NC_SHA256, Impl.SOCAT, Impl.MBUFFER, Impl.SOCAT_TLS);
                assertThat(json).contains("\"skipped\":\"").contains("not installed");
                continue;
            }
            assertThat(json).contains("\"rounds\":1,\"mb_per_s\":", "\"cpu_s_per_gib\":", "\"startup_ms\":");
            assertThat(m.summary(Measurement.MB_PER_S).median()).isPositive();
            // CPU time is counted in clock ticks (10 ms): a 4 MiB round of a small tool can take less than one
            assertThat(m.summary(Measurement.CPU_S_PER_GIB).median()).as(json).isNotNegative();
            boolean frameconn = m.impl == Impl.FRAMECONN || m.impl == Impl.FRAMECONN_PIPE
                    || m.impl == Impl.FRAMECONN_TLS;
            if (frameconn) {
                assertThat(m.summary(Measurement.STARTUP_MS).median()).isPositive();
            } else {
                assertThat(json).contains("\"startup_ms\":null");
            }
        }
        assertThat(rows.subList(0, 9)).filteredOn(m -> m.skipped() != null)
                .allMatch(m -> m.impl != Impl.FRAMECONN && m.impl != Impl.STREAM_LIB);
        Measurement reference = rows.get(9);
        assertThat(TransferWorkload.isFrameReference(reference)).isTrue();
        assertThat(Report.jsonLine(reference)).contains("\"workload\":\"one-way\"", "\"payload\":524288",
                "\"mb_per_s\":");
        // every process round printed its line
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("transfer round 1/1 frameconn-tls");
        assertNoChildLeft();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aCorruptedOutputFailsTheRun() {
        Consumer<Path> flipOneByte = output -> {
            try (RandomAccessFile f = new RandomAccessFile(output.toFile(), "rw")) {
                long at = f.length() / 2;
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0x01);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        TransferWorkload w = workload(List.of(Impl.FRAMECONN), System.getenv("PATH"), flipOneByte, null);
        assertThatThrownBy(() -> w.run(false)).isInstanceOf(BenchmarkFailure.class)
                .hasMessageContaining("frameconn, round 1: the received file does not match the input: " + SMALL
                        + " bytes, SHA-256 ");
        assertNoChildLeft();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aMissingToolGivesASkippedRowWithTheReason() throws Exception {
        List<Measurement> rows = workload(List.of(Impl.NC, Impl.SOCAT, Impl.MBUFFER, Impl.SOCAT_TLS),
                "/nonexistent-frameconn-bench", p -> {}, null).run(true);
        assertThat(rows).hasSize(4).allMatch(m -> m.skipped() != null);
        assertThat(Report.jsonLine(rows.get(0))).isEqualTo("{\"workload\":\"transfer\",\"impl\":\"nc\",\"bytes\":"
                + SMALL + ",\"skipped\":\"nc is not installed (not found on PATH=/nonexistent-frameconn-bench)\"}");
        assertThat(rows.get(3).skipped()).startsWith("socat is not installed");
        // the report's ratios have nothing to compare with, and say so instead of failing
        var text = new java.io.ByteArrayOutputStream();
        Report.transfer(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8), rows, List.of());
        assertThat(text.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("nc              skipped: nc is not installed")
                .containsPattern("frameconn ÷ better of socat/mbuffer \\(socat/mbuffer\\) +- +target >= 1.0: -");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aReceiverThatFailsEndsTheRunWithItsStderr(@TempDir Path bin) throws Exception {
        fakeTool(bin, "socat", """
                if [ "$1" = -V ]; then echo "socat version 0 (fake)"; exit 0; fi
                echo "fake socat refuses: $*" >&2
                exit 3
                """);
        TransferWorkload w = workload(List.of(Impl.SOCAT), bin.toString(), p -> {}, null);
        assertThatThrownBy(() -> w.run(false)).isInstanceOf(BenchmarkFailure.class)
                .hasMessageContaining("the receiver exited before listening")
                .hasMessageContaining("fake socat refuses: -u TCP-LISTEN:");
        assertNoChildLeft();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSenderThatHangsIsKilledAtTheTimeoutWithItsReceiver(@TempDir Path bin) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/nc")), "needs OpenBSD nc at /usr/bin/nc");
        // receiver and version: the real nc; sender: hangs without sending (a child of the script, too)
        Path sleeper = bin.resolve("sleep.pid");
        fakeTool(bin, "nc", """
                if [ "$1" = -h ] || [ "$1" = -d ]; then exec /usr/bin/nc "$@"; fi
                sleep 600 &
                echo $! > "%s"
                wait
                """.formatted(sleeper));
        TransferWorkload w = workload(List.of(Impl.NC), bin.toString(), p -> {}, Duration.ofSeconds(2));
        assertThatThrownBy(() -> w.run(false)).isInstanceOf(BenchmarkFailure.class)
                .hasMessageContaining("nc-send did not exit within 2 s; killed");
        assertNoChildLeft();
        // the sender's own child too, which a kill of the sender alone would have left to init
        long pid = Long.parseLong(Files.readString(sleeper).strip());
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("the sender's child, pid " + pid)
                .isEmpty();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aPortTakenBeforeTheReceiverBindsIsReplaced(@TempDir Path bin) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "needs socat at /usr/bin/socat");
        // the first receiver finds its port taken (as socat words it); every later call is the real socat
        fakeTool(bin, "socat", """
                case "$2" in
                  TCP-LISTEN:*)
                    if [ ! -e "%1$s" ]; then
                      : > "%1$s"
                      echo "socat E bind(5, {AF=2 127.0.0.1:1}, 16): Address already in use" >&2
                      exit 1
                    fi ;;
                esac
                exec /usr/bin/socat "$@"
                """.formatted(bin.resolve("refused-once")));
        List<Measurement> rows = workload(List.of(Impl.SOCAT), bin.toString(), p -> {}, null).run(false);
        assertThat(rows).singleElement().satisfies(m -> assertThat(m.summary(Measurement.MB_PER_S)).isNotNull());
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("was taken before the receiver bound it");
        assertNoChildLeft();
    }

    @Test
    void transferOptions() {
        BenchOptions full = BenchOptions.parse(new String[0]);
        assertThat(full.workloads()).contains(Workload.TRANSFER);
        assertThat(full.transferBytes()).isEqualTo(1L << 30);
        assertThat(full.transferRounds()).isEqualTo(3);
        assertThat(full.transferCli()).isEqualTo("launcher");
        BenchOptions quick = BenchOptions.parse(new String[] {"--quick"});
        assertThat(quick.workloads()).contains(Workload.TRANSFER);
        assertThat(quick.transferBytes()).isEqualTo(256L << 20);
        assertThat(quick.transferRounds()).isEqualTo(2);
        BenchOptions some = BenchOptions.parse(new String[] {"--workloads", "transfer", "--transfer-mb", "8",
            "--transfer-rounds", "1", "--transfer-cli", "jar", "--impls", "nc,frameconn,stream-lib"});
        assertThat(some.transferBytes()).isEqualTo(8L << 20);
        assertThat(some.transferRounds()).isEqualTo(1);
        assertThat(some.transferCli()).isEqualTo("jar");
        assertThat(some.impls()).containsExactly(Impl.FRAMECONN, Impl.NC, Impl.STREAM_LIB);
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--transfer-cli", "rsh"}))
                .hasMessage("--transfer-cli=rsh is neither launcher nor jar");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--transfer-mb", "0"}))
                .hasMessage("--transfer-mb=0 must be >= 1");
        assertThatThrownBy(() -> CliLauncher.home(Path.of("/nonexistent-frameconn")))
                .hasMessage("--frameconn-home /nonexistent-frameconn holds no executable bin/frameconn");
    }

    private TransferWorkload workload(List<Impl> impls, String path, Consumer<Path> beforeVerify, Duration timeout) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // short-lived JVMs on a busy machine: start fast, stay small (as the CLI's own process tests)
        CliLauncher cli = CliLauncher.classPath(classPath,
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m"));
        return new TransferWorkload(new TransferWorkload.Settings(SMALL, 1, impls, () -> cli, path,
                new PrintStream(progress, true, StandardCharsets.UTF_8), beforeVerify, timeout));
    }

    private static void fakeTool(Path dir, String name, String body) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    /** Nothing the workload started is still running (the JVM's own helpers are not processes). */
    private static void assertNoChildLeft() {
        List<String> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList();
        assertThat(left).as("processes left running").isEmpty();
    }
}
