package dev.frameconn.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The transfer workload: one file moved between two processes over loopback
 * TCP, as users of {@code frameconn send/recv} compare it with nc, socat and
 * mbuffer.
 *
 * <p>Per round, every implementation once, always in the same order
 * ({@link #ORDER}). A process round starts the receiver, waits until it
 * listens (the kernel's socket table, {@link LoopbackPorts}), then starts the
 * sender; wall time runs from the sender's start until both processes have
 * exited, process start included. CPU is user + system time of both process
 * trees ({@link ToolProcess}). Every received file is checked by SHA-256
 * against the input after the round, outside the timing; a mismatch fails the
 * run. The frameconn rows also get a {@link StartupProbe} per round, and the
 * stream-lib row ({@link StreamLibTransfer}) is measured beside the frame
 * layer's one-way 512 KiB per-frame row.
 *
 * <p>A tool that is not installed gives a skipped row with the reason; a
 * process that fails ends the run with its command and standard error; no
 * process outlives a round.
 */
final class TransferWorkload {
    /** Order within a round: the plain transfers, then TLS, then the library. */
    static final List<Impl> ORDER = List.of(Impl.FRAMECONN, Impl.FRAMECONN_PIPE, Impl.NC, Impl.NC_SHA256, Impl.SOCAT,
            Impl.MBUFFER,
            Impl.FRAMECONN_TLS, Impl.SOCAT_TLS, Impl.STREAM_LIB);
    /** The frame layer's payload that stream-lib is compared with (the stream layer's chunk size). */
    static final int REFERENCE_PAYLOAD = 512 << 10;
    /** The target for startup_ms. */
    static final int STARTUP_TARGET_MS = 250;
    private static final String HOST = "127.0.0.1";
    private static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new File("/dev/null"));

    /**
     * What one run of the workload needs.
     *
     * @param bytes file size
     * @param rounds measured rounds (there are no warm-up rounds: each round starts fresh processes)
     * @param impls the implementations, in {@link #ORDER}
     * @param cli how to start the frameconn CLI (asked for only if a frameconn row runs)
     * @param searchPath where to look for nc, socat and mbuffer (PATH syntax)
     * @param progress progress and round lines
     * @param beforeVerify called with each received file before it is checked (tests corrupt it here)
     * @param timeout bound on each process's run, or null: 120 s plus one per 2 MB of the file
     */
    record Settings(long bytes, int rounds, List<Impl> impls, Supplier<CliLauncher> cli, String searchPath,
            PrintStream progress, Consumer<Path> beforeVerify, Duration timeout) {}

    private final Settings settings;
    private final List<String> notes = new ArrayList<>();
    private final List<String> info = new ArrayList<>();
    /** nc, socat, mbuffer: where they were found on {@link Settings#searchPath()}. */
    private final Map<String, String> tools = new LinkedHashMap<>();

    TransferWorkload(Settings settings) {
        this.settings = settings;
    }

    /** The workload as {@code options} ask for it, the CLI started the way {@code --transfer-cli} says. */
    static TransferWorkload forRun(BenchOptions options, PrintStream progress) {
        List<Impl> impls = ORDER.stream().filter(options.impls()::contains).toList();
        String path = System.getenv("PATH");
        return new TransferWorkload(new Settings(options.transferBytes(), options.transferRounds(), impls,
                () -> CliLauncher.forRun(options), path == null ? "" : path, progress, p -> {}, null));
    }

    /** True for the one-way row stream-lib is compared with: frameconn per-frame, 512 KiB. */
    static boolean isFrameReference(Measurement m) {
        return m.workload == Workload.ONE_WAY && m.impl == Impl.FRAMECONN && m.mode == Mode.PER_FRAME
                && m.payload == REFERENCE_PAYLOAD && m.skipped() == null;
    }

    /** Problems worth a line in the report's notes. */
    List<String> notes() {
        return notes;
    }

    /** How the rows were made (commands, versions, where the file was), for the report. */
    List<String> info() {
        return info;
    }

    /**
     * Runs every round; returns one row per implementation in {@link #ORDER},
     * then, if {@code measureReference} and stream-lib runs, the frame layer's
     * one-way 512 KiB row measured beside it.
     */
    List<Measurement> run(boolean measureReference) throws Exception {
        long t0 = System.nanoTime();
        Map<Impl, Measurement> rows = new LinkedHashMap<>();
        List<Impl> active = new ArrayList<>();
        for (Impl impl : settings.impls()) {
            Measurement m = new Measurement(impl, settings.bytes());
            rows.put(impl, m);
            String reason = unavailable(impl);
            if (reason != null) {
                m.skip(reason);
            } else {
                active.add(impl);
            }
        }
        Measurement reference = measureReference && active.contains(Impl.STREAM_LIB)
                ? new Measurement(Workload.ONE_WAY, Impl.FRAMECONN, Mode.PER_FRAME, REFERENCE_PAYLOAD, 1, null,
                        ThreadKind.PLATFORM.label())
                : null;
        Path dir = workDirectory(settings.bytes());
        try {
            CliLauncher cli = null;
            if (active.stream().anyMatch(TransferWorkload::isFrameconn)) {
                cli = settings.cli().get();
                cli.prepareOnce(dir); // builds the jar if needed: never inside a round
                info.add("frameconn CLI: " + cli.description());
            }
            Path input = dir.resolve("input");
            writeInput(input, settings.bytes());
            String inputSha = sha256(input);
            info.add(String.format(Locale.ROOT, "file: %d bytes (%s) of pseudo-random data in %s, SHA-256 %s",
                    settings.bytes(), Report.size(settings.bytes()), dir.getParent(), inputSha));
            BenchTls.PemFiles pem = null;
            BenchTls tls = null;
            if (active.contains(Impl.FRAMECONN_TLS) || active.contains(Impl.SOCAT_TLS)) {
                tls = BenchTls.create();
                pem = tls.writePem(dir);
            }
            Rounds r = new Rounds(cli, dir, input, inputSha, tls, pem);
            for (int round = 1; round <= settings.rounds(); round++) {
                for (Impl impl : active) {
                    r.run(impl, round, rows.get(impl), reference);
                }
            }
        } finally {
            deleteRecursively(dir);
        }
        settings.progress().printf(Locale.ROOT, "  %-12s file=%-8s %d implementations x %d rounds: %.1f s%n",
                Workload.TRANSFER.label(), Report.size(settings.bytes()), active.size(), settings.rounds(),
                (System.nanoTime() - t0) / 1e9);
        List<Measurement> result = new ArrayList<>(rows.values());
        if (reference != null) {
            result.add(reference);
        }
        return result;
    }

    private static boolean isFrameconn(Impl impl) {
        return impl == Impl.FRAMECONN || impl == Impl.FRAMECONN_PIPE || impl == Impl.FRAMECONN_TLS;
    }

    /** Why {@code impl} cannot run here, or null if it can. */
    private String unavailable(Impl impl) throws InterruptedException {
        String tool = switch (impl) {
            case NC, NC_SHA256 -> "nc";
            case SOCAT, SOCAT_TLS -> "socat";
            case MBUFFER -> "mbuffer";
            default -> null;
        };
        if (tool == null) {
            return null;
        }
        Path found = find(tool);
        if (found == null) {
            return tool + " is not installed (not found on PATH=" + settings.searchPath() + ")";
        }
        tools.put(tool, found.toString());
        String version = version(impl, found);
        if ((impl == Impl.NC || impl == Impl.NC_SHA256) && !version.contains("OpenBSD")) {
            return found + " is not OpenBSD netcat (it needs -N and -d): " + version;
        }
        if (impl == Impl.NC_SHA256) {
            // the pipeline's other tools: bash (process substitution), tee and sha256sum
            for (String helper : List.of("bash", "tee", "sha256sum")) {
                Path p = find(helper);
                if (p == null) {
                    return helper + " is not installed (not found on PATH=" + settings.searchPath() + ")";
                }
                tools.put(helper, p.toString());
            }
            return null;
        }
        if (impl != Impl.SOCAT_TLS) {
            info.add(tool + ": " + found + (version.isEmpty() ? "" : " (" + version + ")"));
        }
        return null;
    }

    private Path find(String tool) {
        for (String d : settings.searchPath().split(File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The tool's own version line (nc -h, socat -V, mbuffer -V), or "" if it prints none. */
    private static String version(Impl impl, Path tool) throws InterruptedException {
        List<String> command = switch (impl) {
            case NC, NC_SHA256 -> List.of(tool.toString(), "-h");
            default -> List.of(tool.toString(), "-V");
        };
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(NO_INPUT).start();
            byte[] out;
            try (var in = p.getInputStream()) {
                out = in.readNBytes(8192);
            } finally {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            for (String line : new String(out, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (l.contains("version") || l.contains("OpenBSD")) {
                    return l;
                }
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The rounds' shared state and the run of one implementation in one round. */
    private final class Rounds {
        private final CliLauncher cli;
        private final Path dir;
        private final Path input;
        private final String inputSha;
        private final BenchTls tls;
        private final BenchTls.PemFiles pem;
        private final Duration timeout;

        Rounds(CliLauncher cli, Path dir, Path input, String inputSha, BenchTls tls, BenchTls.PemFiles pem) {
            this.cli = cli;
            this.dir = dir;
            this.input = input;
            this.inputSha = inputSha;
            this.tls = tls;
            this.pem = pem;
            // generous: a JVM start each side on a busy machine, and at least 2 MB/s
            this.timeout = settings.timeout() != null ? settings.timeout()
                    : Duration.ofSeconds(120 + settings.bytes() / 2_000_000);
        }

        void run(Impl impl, int round, Measurement row, Measurement reference) throws Exception {
            if (impl == Impl.STREAM_LIB) {
                StreamLibTransfer.Result r = StreamLibTransfer.run(settings.bytes());
                record(row, round, r.wallNanos(), r.cpuNanos() / 1e9, null);
                if (reference != null) {
                    FrameconnContender frames = new FrameconnContender(Mode.PER_FRAME);
                    TransferResult t = frames.transfer(REFERENCE_PAYLOAD, 1,
                            Round.budgeted(Math.max(1, settings.bytes() / REFERENCE_PAYLOAD)), ThreadKind.PLATFORM);
                    reference.add(t);
                    frames.close();
                }
                return;
            }
            Double startup = isFrameconn(impl) ? startup(impl) : null;
            Path output = dir.resolve("output-" + impl.label());
            Files.deleteIfExists(output);
            long wall;
            double cpu;
            Listening listening = listeningReceiver(impl, output);
            Pair pair = listening.pair();
            try (ToolProcess receiver = listening.receiver()) {
                try (ToolProcess sender = ToolProcess.start(impl.label() + "-send", pair.sender(), dir,
                        pair.senderIn(), ProcessBuilder.Redirect.DISCARD)) {
                    // a failed sender ends the round at once: its receiver may wait forever
                    sender.requireSuccess(sender.awaitExit(timeout));
                    receiver.requireSuccess(receiver.awaitExit(timeout));
                    wall = System.nanoTime() - sender.startNanos();
                    cpu = sender.cpuSeconds() + receiver.cpuSeconds();
                }
            }
            settings.beforeVerify().accept(output);
            verify(impl, round, output);
            Files.delete(output);
            record(row, round, wall, cpu, startup);
        }

        /**
         * A receiver listening on a fresh port. The port was free when the
         * kernel gave it to us, but on a busy machine an outgoing connection
         * may take it before the receiver binds: then, and only then, another
         * port is tried (three in all).
         */
        private Listening listeningReceiver(Impl impl, Path output) throws Exception {
            for (int attempt = 1; ; attempt++) {
                int port = LoopbackPorts.free();
                Pair pair = pair(impl, port, output);
                ToolProcess receiver = ToolProcess.start(impl.label() + "-recv", pair.receiver(), dir, NO_INPUT,
                        pair.receiverOut());
                try {
                    LoopbackPorts.awaitListening(port, receiver, timeout);
                    return new Listening(pair, receiver);
                } catch (BenchmarkFailure e) {
                    receiver.close();
                    if (attempt < 3 && !receiver.isAlive()
                            && receiver.stderrTail().toLowerCase(Locale.ROOT).contains("in use")) {
                        settings.progress().println("    " + impl.label() + ": port " + port
                                + " was taken before the receiver bound it; trying another");
                        continue;
                    }
                    throw e;
                } catch (Exception | Error e) {
                    receiver.close();
                    throw e;
                }
            }
        }

        private void record(Measurement row, int round, long wallNanos, double cpuSeconds, Double startupMs) {
            double mbPerS = settings.bytes() / 1e6 / (wallNanos / 1e9);
            double cpuPerGib = cpuSeconds / (settings.bytes() / (double) (1L << 30));
            row.add(Measurement.MB_PER_S, mbPerS);
            row.add(Measurement.CPU_S_PER_GIB, cpuPerGib);
            if (startupMs != null) {
                row.add(Measurement.STARTUP_MS, startupMs);
            }
            settings.progress().printf(Locale.ROOT, "    transfer round %d/%d %-14s %7.2f s %8s MB/s  cpu %6.2f s/GiB%s%n",
                    round, settings.rounds(), row.impl.label(), wallNanos / 1e9, Report.mb(mbPerS), cpuPerGib,
                    startupMs == null ? "" : String.format(Locale.ROOT, "  startup %.0f ms", startupMs));
        }

        private double startup(Impl impl) throws Exception {
            boolean pipe = impl == Impl.FRAMECONN_PIPE;
            return StartupProbe.measure(impl.label(), port -> frameconnSender(impl, port),
                    pipe ? ProcessBuilder.Redirect.from(input.toFile()) : NO_INPUT,
                    impl == Impl.FRAMECONN_TLS ? tls.frameconnServer : null, dir, timeout);
        }

        private List<String> frameconnSender(Impl impl, int port) {
            List<String> c = new ArrayList<>(cli.prefix());
            c.add("send");
            if (impl != Impl.FRAMECONN_PIPE) {
                c.addAll(List.of("--input", input.toString()));
            }
            if (impl == Impl.FRAMECONN_TLS) {
                c.addAll(List.of("--tls-cert", pem.clientCert().toString(), "--tls-key", pem.clientKey().toString(),
                        "--tls-ca", pem.ca().toString()));
            }
            c.add(HOST + ":" + port);
            return c;
        }

        private Pair pair(Impl impl, int port, Path output) {
            ProcessBuilder.Redirect toOutput = ProcessBuilder.Redirect.to(output.toFile());
            ProcessBuilder.Redirect fromInput = ProcessBuilder.Redirect.from(input.toFile());
            String in = input.getFileName().toString(); // socat's address syntax: relative names, run in dir
            String out = output.getFileName().toString();
            String nc = tools.get("nc");
            String socat = tools.get("socat");
            String mbuffer = tools.get("mbuffer");
            return switch (impl) {
                case FRAMECONN, FRAMECONN_TLS, FRAMECONN_PIPE -> {
                    List<String> recv = new ArrayList<>(cli.prefix());
                    recv.addAll(List.of("recv", "--listen", HOST + ":" + port));
                    if (impl != Impl.FRAMECONN_PIPE) {
                        recv.addAll(List.of("--output", output.toString()));
                    }
                    if (impl == Impl.FRAMECONN_TLS) {
                        recv.addAll(List.of("--tls-cert", pem.serverCert().toString(), "--tls-key",
                                pem.serverKey().toString(), "--tls-ca", pem.ca().toString()));
                    }
                    boolean pipe = impl == Impl.FRAMECONN_PIPE;
                    yield new Pair(recv, pipe ? toOutput : ProcessBuilder.Redirect.DISCARD,
                            frameconnSender(impl, port), pipe ? fromInput : NO_INPUT);
                }
                case NC -> new Pair(List.of(nc, "-d", "-l", HOST, Integer.toString(port)), toOutput,
                        List.of(nc, "-N", HOST, Integer.toString(port)), fromInput);
                case NC_SHA256 -> {
                    // the sender hashes what it sends, the receiver what it stores, as frameconn does; bash
                    // waits for the sender's hash ($! is the process substitution) so that its CPU counts
                    String bash = tools.get("bash");
                    String tee = tools.get("tee");
                    String sha = tools.get("sha256sum");
                    yield new Pair(List.of(bash, "-c", "set -o pipefail; \"$1\" -d -l \"$2\" \"$3\" | \"$4\" \"$5\" "
                                    + "| \"$6\" >/dev/null", "nc-sha256-recv", nc, HOST, Integer.toString(port), tee,
                                    output.toString(), sha), ProcessBuilder.Redirect.DISCARD,
                            List.of(bash, "-c", "set -o pipefail; \"$1\" >(\"$4\" >/dev/null) < \"$5\" "
                                    + "| \"$6\" -N \"$2\" \"$3\"; status=$?; wait $! || status=1; exit $status",
                                    "nc-sha256-send", tee, HOST, Integer.toString(port), sha, input.toString(), nc),
                            NO_INPUT);
                }
                case SOCAT -> new Pair(
                        List.of(socat, "-u", "TCP-LISTEN:" + port + ",bind=" + HOST + ",reuseaddr",
                                "OPEN:" + out + ",creat,trunc"), ProcessBuilder.Redirect.DISCARD,
                        List.of(socat, "-u", "OPEN:" + in, "TCP:" + HOST + ":" + port), NO_INPUT);
                case MBUFFER -> new Pair(List.of(mbuffer, "-q", "-I", HOST + ":" + port, "-o", out),
                        ProcessBuilder.Redirect.DISCARD, List.of(mbuffer, "-q", "-i", in, "-O", HOST + ":" + port),
                        NO_INPUT);
                case SOCAT_TLS -> new Pair(
                        List.of(socat, "-u", "OPENSSL-LISTEN:" + port + ",bind=" + HOST + ",reuseaddr"
                                + ",cert=" + pem.serverCert() + ",key=" + pem.serverKey() + ",cafile=" + pem.ca()
                                + ",verify=1,openssl-min-proto-version=TLS1.3",
                                "OPEN:" + out + ",creat,trunc"), ProcessBuilder.Redirect.DISCARD,
                        List.of(socat, "-u", "OPEN:" + in, "OPENSSL:" + HOST + ":" + port
                                + ",cert=" + pem.clientCert() + ",key=" + pem.clientKey() + ",cafile=" + pem.ca()
                                + ",verify=1,openssl-min-proto-version=TLS1.3"), NO_INPUT);
                default -> throw new IllegalArgumentException("impl=" + impl.label() + " is no process transfer");
            };
        }

        private void verify(Impl impl, int round, Path output) throws IOException {
            if (!Files.isRegularFile(output)) {
                throw new BenchmarkFailure(impl.label() + ", round " + round + ": the receiver left no file "
                        + output);
            }
            long size = Files.size(output);
            String sha = sha256(output);
            if (size != settings.bytes() || !sha.equals(inputSha)) {
                throw new BenchmarkFailure(impl.label() + ", round " + round + ": the received file does not match "
                        + "the input: " + size + " bytes, SHA-256 " + sha + "; sent " + settings.bytes()
                        + " bytes, SHA-256 " + inputSha);
            }
        }
    }

    /** A started receiver that listens, and the commands of its transfer. */
    private record Listening(Pair pair, ToolProcess receiver) {}

    /** One transfer's two commands and where their data come from and go to. */
    private record Pair(List<String> receiver, ProcessBuilder.Redirect receiverOut, List<String> sender,
            ProcessBuilder.Redirect senderIn) {}

    // ---------------------------------------------------------------- files

    /**
     * A fresh directory for the run's files: under /dev/shm (memory, so disks
     * do not enter the figures) if it has room for the input and one output,
     * else under java.io.tmpdir.
     */
    static Path workDirectory(long bytes) throws IOException {
        long needed = 2 * bytes + (64L << 20);
        List<Path> bases = List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")));
        for (Path base : bases) {
            if (Files.isDirectory(base) && Files.isWritable(base)) {
                FileStore store = Files.getFileStore(base);
                if (store.getUsableSpace() >= needed) {
                    return Files.createTempDirectory(base, "frameconn-bench-transfer-");
                }
            }
        }
        throw new BenchmarkFailure("no room for the transfer workload's files (" + needed + " bytes) in " + bases);
    }

    /** {@code bytes} of pseudo-random data (fixed seed): incompressible, cheap to make. */
    static void writeInput(Path file, long bytes) throws IOException {
        SplittableRandom random = new SplittableRandom(13);
        ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long left = bytes;
            while (left > 0) {
                buf.clear();
                while (buf.remaining() >= Long.BYTES) {
                    buf.putLong(random.nextLong());
                }
                buf.flip();
                buf.limit((int) Math.min(buf.limit(), left));
                left -= buf.remaining();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
    }

    /** The file's SHA-256 in lower-case hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                digest.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("frameconn bench: could not delete " + dir + ": " + e);
        }
    }
}
