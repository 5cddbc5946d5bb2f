package dev.frameconn.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.FrameConn;
import dev.frameconn.LeakDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The core in a child JVM whose runtime has only {@code java.base} (or also
 * {@code java.logging}), as a jlinked image without {@code jdk.jfr} would be:
 * the Flight Recorder hooks do nothing instead of failing, and the leak
 * detector's report reaches {@link System.Logger} {@value LeakDetector#LOGGER_NAME}
 * at WARNING, through java.util.logging when present, else the JDK's own
 * console logger. With {@code jdk.jfr} present but no recording ever started,
 * the hooks load no event class (loading one starts the recorder's machinery).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MinimalRuntimeTest {
    private static final String FORMAT = "LOG|%3$s|%4$s|%5$s%n%6$s";

    @ParameterizedTest
    @ValueSource(strings = {"java.base", "java.base,java.logging"})
    void hooksDoNothingWithoutJdkJfrAndLeaksGoToTheSystemLogger(String modules, @TempDir Path dir)
            throws Exception {
        ProbeRun run = runProbe(dir, "--limit-modules", modules + ",dev.frameconn");
        assertThat(run.stdout).as(run.all).contains("jdk.jfr present=false")
                .contains("java.logging present=" + modules.contains("java.logging"))
                .contains("timeout: frameconn: read timed out");
        assertThat(run.stderr).as(run.all)
                .contains("LOG|" + LeakDetector.LOGGER_NAME + "|WARNING|frameconn: frame type=0x00000009 length=2"
                        + " was garbage-collected without close()")
                .contains("readAndForget");
    }

    @Test
    void withJdkJfrButNoRecordingNoEventClassIsLoaded(@TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.log");
        ProbeRun run = runProbe(dir, "-Xlog:class+load=info:file=" + classes);
        assertThat(run.stdout).as(run.all).contains("jdk.jfr present=true");
        String loaded = Files.readString(classes);
        assertThat(loaded).as("the hooks ran").contains("dev.frameconn.internal.jfr.FrameConnEvents ");
        assertThat(loaded.lines().filter(l -> l.contains("dev.frameconn.internal.jfr.") && l.contains("Event ")))
                .as("event classes loaded").isEmpty();
        assertThat(loaded).as("the recorder's machinery").doesNotContain("jdk.jfr.internal.MetadataRepository");
    }

    private record ProbeRun(String stdout, String stderr, String all) {}

    /** Runs {@link DiagnosticsProbe} in a child JVM, the core on its module path, with {@code options}. */
    private static ProbeRun runProbe(Path dir, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", codeSource(FrameConn.class).toString(),
                "--add-modules", "dev.frameconn",
                "-cp", codeSource(DiagnosticsProbe.class).toString(),
                "-Xmx64m",
                "-D" + LeakDetector.PROPERTY + "=true",
                "-Djdk.system.logger.format=" + FORMAT,
                "-Djava.util.logging.SimpleFormatter.format=" + FORMAT));
        command.addAll(List.of(options));
        command.add(DiagnosticsProbe.class.getName());
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        String all = String.join(" ", command) + "\n--- stdout:\n" + stdout + "--- stderr:\n" + stderr;
        assertThat(ended).as("probe ended within 60 s: %s", all).isTrue();
        assertThat(p.exitValue()).as(all).isZero();
        return new ProbeRun(stdout, stderr, all);
    }

    /** The directory or jar a class was loaded from. */
    private static Path codeSource(Class<?> c) throws Exception {
        Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(p).as("code source of " + c).exists();
        return p;
    }
}
