package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code frameconn send} and {@code frameconn recv} as real processes, end to
 * end over loopback TCP and Unix sockets: the data, the messages on standard
 * error, the exit statuses, the files left behind, the metrics endpoint.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransferProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<Tool> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (Tool t : started) {
            t.close();
        }
    }

    /** One CLI process: standard error line by line, standard output to a file. */
    final class Tool implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> errLines = new LinkedBlockingQueue<>();
        @SuppressWarnings("JdkObsolete") // appended by the pump thread, read by the test: the lock is wanted
        final StringBuffer err = new StringBuffer();
        final Path stdout;
        final Thread pump;

        Tool(Path stdout, String... args) throws IOException {
            this.stdout = stdout;
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                    "-cp", classPath(), Main.class.getName()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(stdout.toFile());
            process = builder.start();
            started.add(this);
            pump = Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        err.append(line).append('\n');
                        errLines.add(line);
                    }
                } catch (IOException e) {
                    err.append("[test: ").append(e).append("]\n");
                }
            });
        }

        /** Waits for a standard error line containing {@code text}; returns it. */
        String awaitErr(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                String line = errLines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no stderr line with '" + text + "'; stderr so far:\n" + err);
                }
                if (line.contains(text)) {
                    return line;
                }
            }
        }

        int awaitExit() throws InterruptedException {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no exit within " + TIMEOUT + "; stderr:\n" + err);
            }
            return process.exitValue();
        }

        /** Standard error, complete once the process exited (waits for the pump to reach its end). */
        String stderr() throws InterruptedException {
            awaitExit();
            pump.join(TIMEOUT);
            return err.toString();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    private Tool recv(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("recv"));
        all.addAll(List.of(args));
        return new Tool(dir.resolve("recv.stdout"), all.toArray(String[]::new));
    }

    private Tool send(String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("send"));
        all.addAll(List.of(args));
        return new Tool(dir.resolve("send.stdout"), all.toArray(String[]::new));
    }

    private static String listeningAddress(Tool recv) throws InterruptedException {
        String line = recv.awaitErr("listening on ");
        return line.substring(line.indexOf("listening on ") + "listening on ".length()).trim();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private List<String> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".stdout")).sorted().toList();
        }
    }

    /** A check of {@link #filesIn} the test directory; one that cannot list it yet is false. */
    @FunctionalInterface
    private interface FilesCheck {
        boolean test(List<String> files) throws IOException;
    }

    /** Waits until the files in the test directory pass {@code check}: a transfer has reached the disk. */
    private void awaitFiles(String what, FilesCheck check) {
        awaitCondition(what, () -> {
            try {
                return check.test(filesIn(dir));
            } catch (IOException e) {
                return false; // a file listed a moment ago may be gone (renamed, deleted): look again
            }
        });
    }

    /** Writes {@code n} random bytes to the tool's standard input and leaves it open: the transfer goes on. */
    private static OutputStream feed(Tool send, int n) throws IOException {
        OutputStream stdin = send.process.getOutputStream();
        stdin.write(randomBytes(n));
        stdin.flush();
        return stdin;
    }

    @Test
    void aFileArrivesIntactAndBothSidesPrintCountAndDigest() throws Exception {
        byte[] data = randomBytes(5 << 20);
        Path in = Files.write(dir.resolve("in.bin"), data);
        Tool recv = recv("--listen", "127.0.0.1:0", "--output", "out.bin");
        String address = listeningAddress(recv);
        Tool send = send(address, "--input", in.toString());
        assertThat(send.awaitExit()).as(send.err.toString()).isZero();
        assertThat(recv.awaitExit()).as(recv.err.toString()).isZero();
        String sha = Sha256.hex(data);
        assertThat(recv.stderr()).contains("received " + data.length + " bytes, sha256 " + sha);
        assertThat(send.stderr()).contains("sent " + data.length + " bytes, sha256 " + sha)
                .contains("verified by the receiver");
        assertThat(Files.readAllBytes(dir.resolve("out.bin"))).isEqualTo(data);
        assertThat(filesIn(dir)).containsExactly("in.bin", "out.bin"); // no temporary file left
    }

    @Test
    void standardInputReachesStandardOutputOverAUnixSocket() throws Exception {
        byte[] data = randomBytes(1 << 20);
        Tool recv = recv("--listen", "unix:" + dir.resolve("s.sock"));
        listeningAddress(recv);
        Tool send = send("unix:" + dir.resolve("s.sock"));
        try (OutputStream stdin = send.process.getOutputStream()) {
            stdin.write(data);
        }
        assertThat(send.awaitExit()).as(send.err.toString()).isZero();
        assertThat(recv.awaitExit()).as(recv.err.toString()).isZero();
        assertThat(Files.readAllBytes(recv.stdout)).isEqualTo(data);
        assertThat(Files.exists(dir.resolve("s.sock"))).isFalse();
    }

    @Test
    void aFailingInputReachesTheReceiverWithItsMessage() throws Exception {
        Files.createDirectory(dir.resolve("adir"));
        Tool recv = recv("--listen", "127.0.0.1:0", "--output", "out.bin");
        String address = listeningAddress(recv);
        Tool send = send(address, "--input", dir.resolve("adir").toString()); // opens, but read fails
        assertThat(send.awaitExit()).isEqualTo(TransferExit.SOURCE_FAILED);
        assertThat(recv.awaitExit()).isEqualTo(TransferExit.SOURCE_FAILED);
        assertThat(recv.stderr()).contains("frameconn recv: the sender's input failed: Is a directory");
        assertThat(send.stderr()).contains("frameconn send: reading the input failed: Is a directory");
        assertThat(filesIn(dir)).containsExactly("adir"); // no output, no temporary file
    }

    @Test
    void anOutputThatCannotBeWrittenIsReportedOnBothSides() throws Exception {
        Path in = Files.write(dir.resolve("in.bin"), randomBytes(1 << 20));
        // standard output on /dev/full: every write fails with ENOSPC
        List<String> args = List.of("recv", "--listen", "127.0.0.1:0");
        Tool recv = new Tool(Path.of("/dev/full"), args.toArray(String[]::new));
        String address = listeningAddress(recv);
        Tool send = send(address, "--input", in.toString());
        assertThat(recv.awaitExit()).as(recv.err.toString()).isEqualTo(TransferExit.LOCAL_IO);
        assertThat(send.awaitExit()).as(send.err.toString()).isEqualTo(TransferExit.FAILED);
        assertThat(recv.stderr()).contains("frameconn recv: cannot write standard output: No space left on device");
        assertThat(send.stderr()).contains("frameconn send: the receiver failed: cannot write standard output");
    }

    @Test
    void anInterruptedTransferLeavesNoFileBehind() throws Exception {
        Tool recv = recv("--listen", "127.0.0.1:0", "--output", "out.bin");
        String address = listeningAddress(recv);
        Tool send = send(address);
        feed(send, 3 << 20);
        // data is arriving in the temporary file
        awaitFiles("a partial file with data", files -> files.stream()
                .anyMatch(n -> n.startsWith(".out.bin.") && n.endsWith(".part"))
                && Files.size(dir.resolve(files.get(0))) > 0);
        send.process.destroyForcibly(); // the sender dies mid-stream
        assertThat(recv.awaitExit()).isEqualTo(TransferExit.FAILED);
        assertThat(recv.stderr()).containsAnyOf("closed the connection before the stream ended",
                "connection reset by the sender");
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void aReceiverStoppedBySignalLeavesNoFileBehind() throws Exception {
        Tool recv = recv("--listen", "127.0.0.1:0", "--output", "out.bin");
        String address = listeningAddress(recv);
        Tool send = send(address);
        OutputStream stdin = feed(send, 1 << 20);
        awaitFiles("a partial file", files -> !files.isEmpty());
        recv.process.destroy(); // SIGTERM: the shutdown hook removes the partial file
        recv.awaitExit();
        assertThat(filesIn(dir)).isEmpty();
        stdin.close();
        assertThat(send.awaitExit()).isEqualTo(TransferExit.FAILED);
    }

    @Test
    void aSenderThatFreezesIsDetectedWithinThePeerTimeout() throws Exception {
        Tool recv = recv("--listen", "127.0.0.1:0", "--output", "out.bin",
                "--peer-timeout", "2s", "--heartbeat-interval", "500ms");
        String address = listeningAddress(recv);
        Tool send = send(address, "--peer-timeout", "2s", "--heartbeat-interval", "500ms");
        feed(send, 1 << 16);
        awaitFiles("a partial file", files -> !files.isEmpty());
        // SIGSTOP: the socket stays open, but nothing comes any more, not even heartbeats
        long stopped = System.nanoTime();
        assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(send.process.pid())).start().waitFor())
                .isZero();
        try {
            assertThat(recv.awaitExit()).isEqualTo(TransferExit.FAILED);
            double seconds = (System.nanoTime() - stopped) / 1e9;
            assertThat(recv.stderr()).contains("vanished: peer timed out")
                    .contains("peerTimeout=2s");
            // detected after the peer timeout, well before twice that plus generous slack for a busy machine
            assertThat(seconds).isBetween(1.5, 15.0);
            assertThat(filesIn(dir)).isEmpty();
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(send.process.pid())).start().waitFor();
        }
    }

    @Test
    void metricsAreServedInPrometheusTextDuringATransfer() throws Exception {
        Tool recv = recv("--listen", "127.0.0.1:0", "--output", "out.bin");
        String address = listeningAddress(recv);
        Tool send = send(address, "--metrics", "127.0.0.1:0");
        String metricsLine = send.awaitErr("metrics on http://");
        String url = metricsLine.substring(metricsLine.indexOf("http://")).trim();
        OutputStream stdin = send.process.getOutputStream();
        byte[] data = randomBytes(2 << 20);
        stdin.write(data);
        stdin.flush();
        HttpClient http = HttpClient.newHttpClient();
        awaitCondition("the sender reports the bytes written so far", () -> {
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                return body.lines().anyMatch(l -> l.startsWith("frameconn_payload_written_bytes_total ")
                        && Double.parseDouble(l.substring(l.indexOf(' ') + 1)) >= 1 << 20);
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(response.body()).contains("# TYPE frameconn_frames_written_total counter")
                .contains("frameconn_heartbeats_sent_total")
                .contains("frameconn_shutdown_hard_closes_total{step=\"write_frame\"} 0.0");
        stdin.close();
        assertThat(send.awaitExit()).as(send.err.toString()).isZero();
        assertThat(recv.awaitExit()).as(recv.err.toString()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("out.bin"))).isEqualTo(data);
    }

    @Test
    void badTimingOptionsAreUsageErrors() throws Exception {
        Tool send = send("127.0.0.1:1", "--heartbeat-interval", "10s", "--peer-timeout", "5s");
        assertThat(send.awaitExit()).isEqualTo(ExitCode.USAGE);
        assertThat(send.stderr()).contains("--heartbeat-interval=10000ms must be shorter than --peer-timeout=5000ms");
        Tool refused = send("127.0.0.1:1", "--input", "/dev/null");
        assertThat(refused.awaitExit()).isEqualTo(TransferExit.UNAVAILABLE);
        assertThat(refused.stderr()).contains("cannot connect to 127.0.0.1:1");
    }
}
