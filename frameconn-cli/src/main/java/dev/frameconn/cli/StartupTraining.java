package dev.frameconn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The training run for the start-up cache (JDK 25's AOT cache, AppCDS before):
 * {@code bin/frameconn} runs this class once per jar and JDK under
 * {@code -XX:AOTCacheOutput} (or {@code -XX:ArchiveClassesAtExit}), so the
 * classes a transfer needs are loaded, linked and profiled ahead of time.
 *
 * <p>It does what a user does: parses {@code --version}, then a {@code recv}
 * on loopback TCP and a {@code send} of a small file to it, through
 * {@link Main#commandLine(String...)} as the tool runs them, their output
 * discarded; then the same with mutual TLS, with a throwaway self-signed
 * certificate made by the JDK's {@code keytool}, so that the TLS and crypto
 * classes are in the cache too. Not a subcommand, so the tool's help and
 * parsing do not change. Exits 0 only if both ends verified the plain
 * transfer; anything else leaves the launcher without a cache, which costs
 * only start-up time. The TLS round is best effort: a JDK without keytool
 * still gets a cache for plain transfers.
 */
public final class StartupTraining {
    /** Enough to reach steady state in the data path (several 512 KiB frames), small enough to be quick. */
    private static final int BYTES = 4 << 20;
    private static final long TIMEOUT_SECONDS = 60;

    private StartupTraining() {}

    /** Runs the training; exit status 0 when the transfer was verified. */
    public static void main(String[] args) throws Exception {
        System.exit(run());
    }

    static int run() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("frameconn-training");
        try {
            return transfer(dir);
        } finally {
            deleteTree(dir);
        }
    }

    private static int transfer(Path dir) throws IOException, InterruptedException {
        Path input = dir.resolve("in.bin");
        byte[] data = new byte[BYTES];
        new java.util.SplittableRandom(1).nextBytes(data);
        Files.write(input, data);

        execute(Writer.nullWriter(), "--version");
        int plain = transfer(input, dir.resolve("out.bin"), List.of());
        if (plain != 0) {
            return plain;
        }
        List<String> tls = TrainingCertificate.tlsOptions(dir);
        if (!tls.isEmpty()) {
            transfer(input, dir.resolve("out-tls.bin"), tls); // best effort: see the class comment
        }
        return 0;
    }

    /** One recv and one send of {@code input} with {@code extra} options on both; 0 if verified. */
    static int transfer(Path input, Path output, List<String> extra) throws InterruptedException,
            IOException {
        List<String> recvArgs = new java.util.ArrayList<>(List.of("recv", "--listen", "127.0.0.1:0", "--output",
                output.toString(), "--progress", "never"));
        recvArgs.addAll(extra);

        // recv prints "frameconn recv: listening on HOST:PORT" on standard error: that is where send goes
        CompletableFuture<String> address = new CompletableFuture<>();
        Writer recvErr = new LineWatcher("listening on ", address);
        CompletableFuture<Integer> recv = CompletableFuture.supplyAsync(() -> execute(recvErr,
                recvArgs.toArray(String[]::new)),
                command -> Thread.ofPlatform().name("training-recv").start(command));
        // a recv that ends without listening (port trouble) must not leave us waiting for the address;
        // the future whenComplete returns only repeats recv's outcome, which is awaited below
        var unused = recv.whenComplete((status, failure) -> address.completeExceptionally(
                new IOException("recv ended before listening, status " + status)));
        try {
            String at = address.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<String> sendArgs = new java.util.ArrayList<>(List.of("send", at, "--input", input.toString(),
                    "--progress", "never"));
            sendArgs.addAll(extra);
            int sent = execute(Writer.nullWriter(), sendArgs.toArray(String[]::new));
            if (sent != 0) {
                // a recv whose sender failed (a refused TLS handshake) waits for the next sender: don't wait
                // with it; the training process exits, and its thread with it
                return 1;
            }
            int received = recv.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            boolean same = Files.mismatch(input, output) == -1;
            return sent == 0 && received == 0 && same ? 0 : 1;
        } catch (ExecutionException | TimeoutException e) {
            return 1;
        }
    }

    private static int execute(Writer err, String... args) {
        CommandLine cli = Main.commandLine(args);
        PrintWriter out = new PrintWriter(Writer.nullWriter());
        PrintWriter errWriter = new PrintWriter(err, true);
        return cli.setOut(out).setErr(errWriter).execute(args);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Completes {@code found} with the rest of the first line that contains {@code marker}. */
    private static final class LineWatcher extends Writer {
        private final String marker;
        private final CompletableFuture<String> found;
        private final StringBuilder line = new StringBuilder();

        LineWatcher(String marker, CompletableFuture<String> found) {
            this.marker = marker;
            this.found = found;
        }

        @Override
        public void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    int at = line.indexOf(marker);
                    if (at >= 0) {
                        found.complete(line.substring(at + marker.length()).strip());
                    }
                    line.setLength(0);
                } else {
                    line.append(buf[i]);
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
