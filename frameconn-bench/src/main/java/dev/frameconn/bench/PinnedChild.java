package dev.frameconn.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The pinned ping-pong run: this program again, in a child JVM started under
 * {@code taskset -c 0}, so that the whole process (all implementations, their
 * threads, the JIT and the GC) shares one CPU. On these virtual machines a
 * wake-up on the other CPU costs tens of microseconds per hop, which dominates
 * unpinned round trips; pinned figures show the implementations' own cost.
 *
 * <p>The child prints one {@code ROW} line per measurement (tab-separated,
 * every round's value) and {@code NOTE} lines; the parent turns them back into
 * {@link Measurement}s.
 */
final class PinnedChild {
    private static final String ROW = "ROW";
    private static final String NOTE = "NOTE";

    private PinnedChild() {}

    /** Runs the pinned ping-pong, or returns rows marked skipped with the reason. */
    static List<Measurement> run(BenchOptions options, List<Measurement> unpinned, List<String> notes,
            PrintStream progress) throws IOException, InterruptedException {
        String taskset = findOnPath("taskset");
        if (taskset == null) {
            return skipped(unpinned, "taskset not found on PATH (util-linux)");
        }
        String probe = probe(taskset);
        if (probe != null) {
            return skipped(unpinned, "taskset -c 0 does not work here: " + probe);
        }
        List<String> command = new ArrayList<>();
        command.add(taskset);
        command.add("-c");
        command.add("0");
        command.addAll(ChildJvm.command(Main.class));
        command.addAll(options.childArgs());
        Path out = Files.createTempFile("frameconn-bench-pinned", ".txt");
        Process child = null;
        try {
            long t0 = System.nanoTime();
            child = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            child.getOutputStream().close();
            long budget = (options.warmup() + options.rounds()) * 4L * (options.durationNanos()
                    + TimeUnit.SECONDS.toNanos(2)) + TimeUnit.SECONDS.toNanos(120);
            if (!child.waitFor(budget, TimeUnit.NANOSECONDS)) {
                throw new BenchmarkFailure("pinned ping-pong child did not finish within "
                        + budget / 1_000_000_000 + " s: " + String.join(" ", command));
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            if (child.exitValue() != 0) {
                throw new BenchmarkFailure("pinned ping-pong child failed with exit status " + child.exitValue()
                        + " (its errors are above): " + String.join(" ", command));
            }
            List<Measurement> rows = parse(lines, notes);
            if (rows.isEmpty()) {
                throw new BenchmarkFailure("pinned ping-pong child reported no measurement");
            }
            progress.printf(Locale.ROOT, "  %-12s pinned child JVM (taskset -c 0) finished in %.1f s%n",
                    Workload.PING_PONG.label(), (System.nanoTime() - t0) / 1e9);
            return rows;
        } finally {
            if (child != null && child.isAlive()) {
                // timed out, or this thread was interrupted while waiting: the child must not outlive the run
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(out);
        }
    }

    /** Null if {@code taskset -c 0 true} works, else what it said. */
    private static String probe(String taskset) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(taskset, "-c", "0", "true").redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            // wait first: reading to the end would block for as long as a hung probe keeps its output open
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                return "it did not finish within 30 s";
            }
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? null : "exit status " + p.exitValue() + ": " + said;
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static List<Measurement> skipped(List<Measurement> unpinned, String reason) {
        List<Measurement> rows = new ArrayList<>();
        for (Measurement m : unpinned) {
            Measurement row = new Measurement(m.workload, m.impl, m.mode, m.payload, m.connections, true, m.threads);
            row.skip(reason);
            rows.add(row);
        }
        return rows;
    }

    /** What the child prints: a line per measurement with every round's value, and notes. */
    static void print(PrintStream out, List<Measurement> rows, List<String> notes) {
        for (Measurement m : rows) {
            StringBuilder line = new StringBuilder(ROW).append('\t').append(m.impl.label()).append('\t')
                    .append(m.mode.label()).append('\t').append(m.threads);
            m.series().forEach((figure, values) -> {
                line.append('\t').append(figure).append('=');
                for (int i = 0; i < values.size(); i++) {
                    line.append(i == 0 ? "" : ",").append(values.get(i));
                }
            });
            out.println(line);
        }
        out.println(NOTE + "\tpinned child saw availableProcessors=" + Runtime.getRuntime().availableProcessors());
        for (String note : notes) {
            out.println(NOTE + "\tpinned: " + note);
        }
        out.flush();
    }

    static List<Measurement> parse(List<String> lines, List<String> notes) {
        List<Measurement> rows = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t");
            if (f[0].equals(NOTE) && f.length > 1) {
                notes.add(f[1]);
            } else if (f[0].equals(ROW) && f.length >= 4) {
                Measurement m = new Measurement(Workload.PING_PONG, Impl.fromLabel(f[1]), Mode.fromLabel(f[2]),
                        BenchOptions.PING_PAYLOAD, 1, true, f[3]);
                for (int i = 4; i < f.length; i++) {
                    int eq = f[i].indexOf('=');
                    String figure = f[i].substring(0, eq);
                    for (String v : f[i].substring(eq + 1).split(",")) {
                        m.add(figure, Double.parseDouble(v));
                    }
                }
                rows.add(m);
            }
        }
        return rows;
    }
}
