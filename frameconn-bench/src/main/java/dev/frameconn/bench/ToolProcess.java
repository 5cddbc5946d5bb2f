package dev.frameconn.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One external program of the transfer workload (a sender or a receiver),
 * started under a small bash wrapper that runs it, then writes bash's
 * {@code times} to a file: the user and system CPU time of every process the
 * program ran and waited for, its JVM threads and the launcher script's own
 * helpers included, since the kernel adds a reaped child's times (and its
 * reaped children's) to its parent's.
 *
 * <p>Standard error goes to a file beside it, shown in failures. {@link
 * #close()} kills the program and everything it started if it is still
 * running, so no process outlives a failed or timed-out round.
 */
final class ToolProcess implements AutoCloseable {
    /** Runs "$@", keeps its status, writes `times` (shell line, then children line) to $0. */
    private static final String WRAPPER = "\"$@\"; rc=$?; times > \"$0\"; exit $rc";
    private static final Pattern TIME = Pattern.compile("(\\d+)m([0-9.]+)s");

    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path timesFile;
    private final Path stderrFile;
    private final long startNanos;

    private ToolProcess(String name, List<String> command, Process process, Path timesFile, Path stderrFile,
            long startNanos) {
        this.name = name;
        this.command = command;
        this.process = process;
        this.timesFile = timesFile;
        this.stderrFile = stderrFile;
        this.startNanos = startNanos;
    }

    /**
     * Starts {@code command} in {@code dir} with standard input and output as
     * given; {@code name} names the files it leaves in {@code dir} and the
     * process in messages.
     */
    static ToolProcess start(String name, List<String> command, Path dir, ProcessBuilder.Redirect in,
            ProcessBuilder.Redirect out) throws IOException {
        Path times = dir.resolve(name + ".times");
        Path stderr = dir.resolve(name + ".stderr");
        Files.deleteIfExists(times);
        List<String> wrapped = new ArrayList<>(List.of(bash(), "-c", WRAPPER, times.toString()));
        wrapped.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(wrapped).directory(dir.toFile())
                .redirectInput(in).redirectOutput(out).redirectError(stderr.toFile());
        long t0 = System.nanoTime();
        Process p = builder.start();
        return new ToolProcess(name, List.copyOf(command), p, times, stderr, t0);
    }

    private static String bash() {
        return Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "bash";
    }

    /** {@link System#nanoTime()} just before the process was started. */
    long startNanos() {
        return startNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the exit; returns its status.
     *
     * @throws BenchmarkFailure if it has not exited within {@code timeout} (it is killed then)
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            close();
            throw new BenchmarkFailure(name + " did not exit within " + timeout.toSeconds() + " s; killed. "
                    + describe());
        }
        return process.exitValue();
    }

    /** Fails with the command and its standard error unless it exited with status 0. */
    void requireSuccess(int status) {
        if (status != 0) {
            throw new BenchmarkFailure(name + " failed with exit status " + status + ". " + describe());
        }
    }

    /** The command and the end of its standard error, for failure messages. */
    String describe() {
        return "command: " + String.join(" ", command) + "; stderr: " + stderrTail();
    }

    /** The last 2,000 characters of its standard error, or a note that there were none. */
    String stderrTail() {
        try {
            String text = Files.readString(stderrFile, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                return "(empty)";
            }
            return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * User + system CPU seconds of the program and all it waited for, from
     * the wrapper's {@code times} line for its children. Only after a normal exit.
     */
    double cpuSeconds() {
        List<String> lines;
        try {
            lines = Files.readAllLines(timesFile);
        } catch (IOException e) {
            throw new BenchmarkFailure(name + ": no CPU times were written (" + e.getMessage() + "). " + describe());
        }
        if (lines.size() < 2) {
            throw new BenchmarkFailure(name + ": times file " + timesFile + " has " + lines.size()
                    + " lines, expected 2: " + lines);
        }
        Matcher m = TIME.matcher(lines.get(1));
        double total = 0;
        int found = 0;
        while (m.find()) {
            total += Long.parseLong(m.group(1)) * 60 + Double.parseDouble(m.group(2));
            found++;
        }
        if (found != 2) {
            throw new BenchmarkFailure(name + ": cannot read CPU times from '" + lines.get(1) + "'");
        }
        return total;
    }

    /** Kills the program and everything it started, if still running; waits briefly for them. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.toHandle().descendants().toList());
        tree.add(process.toHandle());
        for (ProcessHandle h : tree) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // tear-down: SIGKILL was sent; a zombie left for a moment harms no one
            }
        }
    }
}
