package dev.frameconn.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.FrameConn;
import dev.frameconn.LeakDetector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * console logger.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MinimalRuntimeTest {
    private static final String FORMAT = "LOG|%3$s|%4$s|%5$s%n%6$s";

    @ParameterizedTest
    @ValueSource(strings = {"java.base", "java.base,java.logging"})
    void hooksDoNothingWithoutJdkJfrAndLeaksGoToTheSystemLogger(String modules, @TempDir Path dir)
            throws Exception {
        Path core = codeSource(FrameConn.class);
        Path probe = codeSource(DiagnosticsProbe.class);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", core.toString(),
                "--add-modules", "dev.frameconn",
                "--limit-modules", modules + ",dev.frameconn",
                "-cp", probe.toString(),
                "-Xmx64m",
                "-D" + LeakDetector.PROPERTY + "=true",
                "-Djdk.system.logger.format=" + FORMAT,
                "-Djava.util.logging.SimpleFormatter.format=" + FORMAT,
                DiagnosticsProbe.class.getName()));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        String both = String.join(" ", command) + "\n--- stdout:\n" + stdout + "--- stderr:\n" + stderr;
        assertThat(ended).as("probe ended within 60 s: %s", both).isTrue();
        assertThat(p.exitValue()).as(both).isZero();
        assertThat(stdout).as(both).contains("jdk.jfr present=false")
                .contains("java.logging present=" + modules.contains("java.logging"))
                .contains("timeout: frameconn: read timed out");
        assertThat(stderr).as(both)
                .contains("LOG|" + LeakDetector.LOGGER_NAME + "|WARNING|frameconn: frame type=0x00000009 length=2"
                        + " was garbage-collected without close()")
                .contains("readAndForget");
    }

    /** The directory or jar a class was loaded from. */
    private static Path codeSource(Class<?> c) throws Exception {
        Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(p).as("code source of " + c).exists();
        return p;
    }
}
