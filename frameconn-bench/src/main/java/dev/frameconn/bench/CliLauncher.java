package dev.frameconn.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the transfer workload starts {@code frameconn send} and {@code recv}:
 * the words before the subcommand, and a one-time preparation (building the
 * CLI jar) that runs before any measurement, so that no build happens inside
 * a timed round.
 *
 * @param prefix the command up to the subcommand, e.g. {@code [/repo/bin/frameconn]}
 * @param description one line for the report
 * @param prepare a command run once before the rounds (must exit 0), or null
 */
record CliLauncher(List<String> prefix, String description, List<String> prepare) {
    /** Building the CLI on a busy machine can take minutes. */
    private static final Duration PREPARE_TIMEOUT = Duration.ofMinutes(10);

    /**
     * {@code <home>/bin/frameconn} itself, as users run it. Prepared with
     * {@code bin/frameconn --version}, which builds the jar if it is missing
     * or older than the sources.
     */
    static CliLauncher launcher(Path home) {
        String script = home.resolve("bin/frameconn").toString();
        return new CliLauncher(List.of(script), script + " (the launcher: finds the JDK, checks the jar, execs java;"
                + " FRAMECONN_JAVA_OPTS=" + javaOpts() + ")", List.of(script, "--version"));
    }

    /**
     * What the launcher execs, without the launcher: this JVM's java (the one
     * the launcher found for the bench), FRAMECONN_JAVA_OPTS, {@code -jar
     * frameconn-cli/target/frameconn-cli.jar}. Prepared by the launcher's
     * {@code --version}, which builds the jar if needed.
     */
    static CliLauncher jar(Path home) {
        List<String> prefix = new ArrayList<>();
        prefix.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String opts = System.getenv("FRAMECONN_JAVA_OPTS");
        if (opts != null && !opts.isBlank()) {
            prefix.addAll(List.of(opts.trim().split("\\s+")));
        }
        prefix.add("-jar");
        prefix.add(home.resolve("frameconn-cli/target/frameconn-cli.jar").toString());
        return new CliLauncher(List.copyOf(prefix), String.join(" ", prefix),
                List.of(home.resolve("bin/frameconn").toString(), "--version"));
    }

    /** The CLI's main class on {@code classPath} with this JVM's java: for tests, which must not build jars. */
    static CliLauncher classPath(String classPath, List<String> jvmOptions) {
        List<String> prefix = new ArrayList<>();
        prefix.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        prefix.addAll(jvmOptions);
        prefix.addAll(List.of("-cp", classPath, "dev.frameconn.cli.Main"));
        return new CliLauncher(List.copyOf(prefix), "java " + String.join(" ", jvmOptions)
                + " -cp <class path> dev.frameconn.cli.Main", null);
    }

    /** The launcher or jar way for this run, in the repository found by {@link #home(Path)}. */
    static CliLauncher forRun(BenchOptions options) {
        Path home = home(options.frameconnHome());
        return options.transferCli().equals("jar") ? jar(home) : launcher(home);
    }

    /**
     * The repository holding {@code bin/frameconn}: {@code explicit} if given,
     * else the system property {@code frameconn.home}, else the one this code
     * was loaded from ({@code <home>/frameconn-bench/target/frameconn-bench.jar}
     * or {@code .../target/classes}), else the working directory.
     *
     * @throws BenchmarkFailure naming every place tried, if none holds it
     */
    static Path home(Path explicit) {
        List<Path> tried = new ArrayList<>();
        if (explicit != null) {
            if (hasLauncher(explicit)) {
                return explicit.toAbsolutePath().normalize();
            }
            throw new BenchmarkFailure("--frameconn-home " + explicit + " holds no executable bin/frameconn");
        }
        String property = System.getProperty("frameconn.home");
        if (property != null && !property.isBlank()) {
            tried.add(Path.of(property));
        }
        try {
            Path code = Path.of(CliLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // .../frameconn-bench/target/frameconn-bench.jar or .../frameconn-bench/target/classes
            Path module = code.getParent() == null ? null : code.getParent().getParent();
            if (module != null && module.getParent() != null) {
                tried.add(module.getParent());
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no code source (an unusual class loader): the other places remain
        }
        tried.add(Path.of("").toAbsolutePath());
        for (Path p : tried) {
            if (hasLauncher(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new BenchmarkFailure("cannot find the frameconn repository (a directory with bin/frameconn) for the "
                + "transfer workload; tried " + tried + ". Run the bench from the repository or pass "
                + "--frameconn-home DIR");
    }

    private static boolean hasLauncher(Path dir) {
        return Files.isExecutable(dir.resolve("bin/frameconn"));
    }

    /** Runs {@link #prepare()} once, if any; fails with its output unless it exits 0. */
    void prepareOnce(Path dir) throws IOException, InterruptedException {
        if (prepare == null) {
            return;
        }
        try (ToolProcess p = ToolProcess.start("cli-prepare", prepare, dir,
                ProcessBuilder.Redirect.from(new java.io.File("/dev/null")), ProcessBuilder.Redirect.DISCARD)) {
            int status = p.awaitExit(PREPARE_TIMEOUT);
            if (status != 0) {
                throw new BenchmarkFailure("preparing the frameconn CLI failed (exit status " + status
                        + "); the transfer workload needs it built. " + p.describe());
            }
        }
    }

    private static String javaOpts() {
        String opts = System.getenv("FRAMECONN_JAVA_OPTS");
        return opts == null || opts.isBlank() ? "(unset)" : opts;
    }
}
