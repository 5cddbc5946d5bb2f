package dev.frameconn.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real CLI in its own JVM, for process tests: {@code java -cp <test classpath>
 * dev.frameconn.cli.Main ARGS}. Standard output arrives line by line in a queue
 * (so a test can wait for "listening on" without a sleep), standard error is
 * collected whole and also line by line (for commands that report there). Every wait has a timeout; {@link #close()} kills the process
 * if it is still running, so a failing test leaves nothing behind.
 */
final class CliProcess implements AutoCloseable {
    /** Generous: two cores shared by several agents, and a JVM start each time. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final List<String> stdoutSeen = new ArrayList<>();
    @SuppressWarnings("JdkObsolete") // appended by the reader thread, read by the test: the lock is wanted
    private final StringBuffer stderr = new StringBuffer();
    private final BlockingQueue<String> stderrLines = new LinkedBlockingQueue<>();
    private final Thread outReader;
    private final Thread errReader;

    private CliProcess(Process process) {
        this.process = process;
        this.outReader = Thread.ofVirtual().start(() -> pump(process.getInputStream(), true));
        this.errReader = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), false));
    }

    /** Starts the CLI with {@code args}; its working directory is {@code dir}. */
    static CliProcess start(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // short-lived JVMs on a busy machine: start fast, stay small
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xshare:auto",
                "-cp", classPath(), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        return new CliProcess(builder.start());
    }

    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private void pump(InputStream in, boolean out) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (out) {
                    stdout.add(line);
                } else {
                    stderr.append(line).append('\n');
                    stderrLines.add(line);
                }
            }
        } catch (IOException e) {
            stderr.append("[test: reading the process failed: ").append(e).append("]\n");
        } finally {
            if (out) {
                stdout.add(EOF);
            }
        }
    }

    /** Writes {@code text} to the process's standard input and closes it. */
    CliProcess input(String text) throws IOException {
        write(text);
        process.getOutputStream().close();
        return this;
    }

    /** Writes {@code text} to the process's standard input, flushed, and keeps it open. */
    CliProcess write(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
        return this;
    }

    /**
     * Sends SIGTERM, as a service manager or {@code kill} would. Through the
     * process handle: {@link Process#destroy()} would also close our pipes and
     * lose the output the process prints while stopping.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** The next line of standard output; fails after {@link #TIMEOUT} or at end of output. */
    String nextLine() throws InterruptedException {
        String line = stdout.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no output line within " + TIMEOUT + "; so far: " + stdoutSeen
                    + "; stderr: " + stderr);
        }
        if (line.equals(EOF)) {
            stdout.add(EOF);
            throw new AssertionError("output ended; lines: " + stdoutSeen + "; stderr: " + stderr);
        }
        stdoutSeen.add(line);
        return line;
    }

    /** Reads lines until one contains {@code text}; returns it. */
    String awaitLineContaining(String text) throws InterruptedException {
        while (true) {
            String line = nextLine();
            if (line.contains(text)) {
                return line;
            }
        }
    }

    /** Reads standard error lines until one contains {@code text}; returns it. Fails after {@link #TIMEOUT}. */
    String awaitErrLineContaining(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            String line = stderrLines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no stderr line with '" + text + "' within " + TIMEOUT + "; stderr: "
                        + stderr);
            }
            if (line.contains(text)) {
                return line;
            }
        }
    }

    /** True while the process runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the exit (killing the process after {@link #TIMEOUT}); returns its status. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("process did not exit within " + TIMEOUT + "; output: " + stdoutSeen
                    + " " + stdout + "; stderr: " + stderr);
        }
        outReader.join(TIMEOUT.toMillis());
        errReader.join(TIMEOUT.toMillis());
        return process.exitValue();
    }

    /** All standard output lines, after {@link #awaitExit()}: those already taken, then the rest. */
    List<String> stdoutLines() {
        List<String> all = new ArrayList<>(stdoutSeen);
        for (String line : stdout) {
            if (!line.equals(EOF)) {
                all.add(line);
            }
        }
        return all;
    }

    /** Standard error so far. */
    String stderr() {
        return stderr.toString();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
