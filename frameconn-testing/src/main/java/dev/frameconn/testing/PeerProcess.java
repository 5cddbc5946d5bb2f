package dev.frameconn.testing;

import dev.frameconn.FrameConn;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A peer in a separate JVM, running {@link PeerMain} (or any main class) with
 * the current {@code java} executable.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Standard output is collected line by line; {@link #awaitLine} waits for
 *       a line instead of a guessed delay. Standard error is kept for the
 *       failure message ({@link #describe()}).</li>
 *   <li>{@link #kill()} is {@code Process.destroyForcibly()}, which on Linux is
 *       SIGKILL: the peer gets no chance to close anything, and the kernel
 *       closes its sockets as it does for a crashed process.</li>
 *   <li>{@link #close()} kills the process if it still runs and waits for it
 *       and for the output readers: nothing outlives the test.</li>
 * </ul>
 */
public final class PeerProcess implements AutoCloseable {
    private final Process process;
    private final List<String> command;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition lineAdded = lock.newCondition();
    private final List<String> stdout = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread outReader;
    private final Thread errReader;
    private boolean outEnded;

    private PeerProcess(Process process, List<String> command) {
        this.process = process;
        this.command = List.copyOf(command);
        long pid = process.pid();
        this.outReader = Thread.ofPlatform().daemon().name("peer-" + pid + "-stdout")
                .start(() -> pumpLines(process.getInputStream(), true));
        this.errReader = Thread.ofPlatform().daemon().name("peer-" + pid + "-stderr")
                .start(() -> pumpLines(process.getErrorStream(), false));
    }

    /**
     * Starts {@link PeerMain} with {@code mode} and {@code key=value} options.
     *
     * @param mode the {@link PeerMain} mode
     * @param options {@code key=value} options
     * @return the running peer
     * @throws IOException if the process cannot be started
     */
    public static PeerProcess start(String mode, String... options) throws IOException {
        return builder().args(mode).args(options).start();
    }

    /**
     * A builder for other main classes, JVM options or a command prefix.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** How to start a peer. */
    public static final class Builder {
        private final List<String> prefix = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>(List.of(
                // a peer is small and short-lived: start fast, stay small
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        private String classPath = defaultClassPath();
        private String mainClass = PeerMain.class.getName();
        private final List<String> args = new ArrayList<>();

        private Builder() {}

        /**
         * Words put before {@code java}, e.g. {@code ip netns exec NAME}: the
         * prefix must exec the command, so that the process is the JVM itself.
         *
         * @param words the prefix's words
         * @return this builder
         */
        public Builder prefix(String... words) {
            prefix.addAll(List.of(words));
            return this;
        }

        /**
         * Extra JVM options.
         *
         * @param options the JVM options
         * @return this builder
         */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /**
         * The class path; default: the locations of frameconn-testing and frameconn-core.
         *
         * @param value the class path
         * @return this builder
         */
        public Builder classPath(String value) {
            classPath = Objects.requireNonNull(value, "classPath");
            return this;
        }

        /**
         * The main class; default {@link PeerMain}.
         *
         * @param value the fully qualified name of the main class
         * @return this builder
         */
        public Builder mainClass(String value) {
            mainClass = Objects.requireNonNull(value, "mainClass");
            return this;
        }

        /**
         * Program arguments.
         *
         * @param values the arguments
         * @return this builder
         */
        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        /**
         * Starts the process.
         *
         * @return the running process
         * @throws IOException if the process cannot be started
         */
        public PeerProcess start() throws IOException {
            List<String> command = new ArrayList<>(prefix);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(classPath);
            command.add(mainClass);
            command.addAll(args);
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            try {
                process.getOutputStream().close(); // no input: the peer must not wait for any
                return new PeerProcess(process, command);
            } catch (IOException | RuntimeException | Error e) {
                process.destroyForcibly(); // nobody holds it yet: it would outlive the test
                throw e;
            }
        }
    }

    /** The code sources of this module and of frameconn-core: all {@link PeerMain} needs. */
    static String defaultClassPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {PeerMain.class, FrameConn.class}) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | RuntimeException e) {
                return System.getProperty("java.class.path");
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private void pumpLines(InputStream in, boolean isStdout) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lock.lock();
                try {
                    if (isStdout) {
                        stdout.add(line);
                        lineAdded.signalAll();
                    } else if (stderr.length() < 64 << 10) {
                        stderr.append(line).append('\n');
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        } finally {
            if (isStdout) {
                lock.lock();
                try {
                    outEnded = true;
                    lineAdded.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Waits for the first output line that starts with {@code prefix}.
     *
     * @param prefix the start of the line waited for
     * @param timeout how long to wait at most
     * @return the whole line
     * @throws TimeoutException with the peer's output, if none came within
     *         {@code timeout} or the peer ended without printing it
     * @throws InterruptedException if interrupted while waiting
     */
    public String awaitLine(String prefix, Duration timeout) throws InterruptedException, TimeoutException {
        return awaitLine(line -> line.startsWith(prefix), prefix, timeout);
    }

    private String awaitLine(Predicate<String> match, String what, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                Optional<String> found = stdout.stream().filter(match).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
                if (outEnded) {
                    throw new TimeoutException("peer ended without printing '" + what + "': " + describeLocked());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("peer printed no '" + what + "' within " + timeout + ": "
                            + describeLocked());
                }
                lineAdded.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The lines printed so far.
     *
     * @return a copy of the lines
     */
    public List<String> lines() {
        lock.lock();
        try {
            return List.copyOf(stdout);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The process id.
     *
     * @return the process id
     */
    public long pid() {
        return process.pid();
    }

    /**
     * True while the process runs.
     *
     * @return whether the process runs
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Sends SIGKILL ({@code destroyForcibly}) and waits for the process to end.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("peer pid=" + pid() + " survived SIGKILL for 30 s");
        }
    }

    /**
     * Waits for the process to exit by itself and returns its exit status.
     *
     * @param timeout how long to wait at most
     * @return the exit status
     * @throws TimeoutException with the peer's output, if it runs longer than {@code timeout}
     * @throws InterruptedException if interrupted while waiting
     */
    public int awaitExit(Duration timeout) throws InterruptedException, TimeoutException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("peer still running after " + timeout + ": " + describe());
        }
        // the output is complete only once the readers saw its end
        outReader.join(TimeUnit.SECONDS.toMillis(10));
        errReader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    /**
     * Command, status and output, for a failure message.
     *
     * @return the description
     */
    public String describe() {
        lock.lock();
        try {
            return describeLocked();
        } finally {
            lock.unlock();
        }
    }

    private String describeLocked() {
        return "\n  command: " + String.join(" ", command)
                + "\n  status: " + (process.isAlive() ? "running" : "exited " + process.exitValue())
                + "\n  stdout:\n    " + String.join("\n    ", stdout)
                + "\n  stderr:\n    " + stderr.toString().replace("\n", "\n    ");
    }

    /** Kills the process if it still runs, and waits for it and its output readers. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        outReader.join(TimeUnit.SECONDS.toMillis(30));
        errReader.join(TimeUnit.SECONDS.toMillis(30));
    }

    @Override
    public String toString() {
        return "PeerProcess[pid=" + pid() + (process.isAlive() ? ", running]" : ", exited]");
    }
}
