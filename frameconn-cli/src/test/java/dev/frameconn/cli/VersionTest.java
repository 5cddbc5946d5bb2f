package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --version} names the project version and the commit the build
 * wrote into {@code version.properties}, in a real JVM; and the line is
 * right for every state the build can leave that file in.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionTest {
    @TempDir
    Path dir;

    @Test
    void aCleanCheckoutShowsVersionAndCommit() {
        assertThat(Main.Version.versionLine("1.2.3", "abc1234\n")).isEqualTo("frameconn 1.2.3 (commit abc1234)");
    }

    @Test
    void uncommittedChangesAreMarkedDirty() {
        assertThat(Main.Version.versionLine("1.2.3", "abc1234-dirty\n"))
                .isEqualTo("frameconn 1.2.3 (commit abc1234-dirty)");
    }

    @Test
    void withoutGitTheCommitIsUnknown() {
        assertThat(Main.Version.versionLine("1.2.3", null)).isEqualTo("frameconn 1.2.3 (commit unknown)");
        // git ran but could not answer: its message is not a commit
        assertThat(Main.Version.versionLine("1.2.3", "fatal: not a git repository (or any parent)\n"))
                .isEqualTo("frameconn 1.2.3 (commit unknown)");
        // a build that did not filter the file at all
        assertThat(Main.Version.versionLine("${project.version}", ""))
                .isEqualTo("frameconn (development build) (commit unknown)");
        assertThat(Main.Version.versionLine(null, null)).isEqualTo("frameconn (development build) (commit unknown)");
    }

    @Test
    void theBuildWroteTheProjectVersionAndNoTimestamp() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            assertThat(in).as("version.properties on the class path").isNotNull();
            p.load(in);
        }
        assertThat(p.getProperty("version")).matches("\\d+\\.\\d+\\.\\d+([-.].+)?");
        // reproducible builds: same commit, same bytes
        assertThat(p.stringPropertyNames()).containsExactly("version");
    }

    @Test
    void versionInAProcessNamesTheCommitGitReports() throws Exception {
        String head = gitHead();
        try (CliProcess cli = CliProcess.start(dir, "--version")) {
            assertThat(cli.awaitExit()).as("stderr: %s", cli.stderr()).isZero();
            List<String> lines = cli.stdoutLines();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).matches("frameconn \\d+\\.\\d+\\.\\d+\\S* \\(commit ([0-9a-f]{7}(-dirty)?|unknown)\\)");
            if (head != null) {
                assertThat(lines.get(0)).matches(".* \\(commit " + head + "(-dirty)?\\)");
            }
            assertThat(lines.get(1)).startsWith("Java " + Runtime.version());
        }
    }

    /** HEAD's short hash of the checkout the tests run in, or null when there is no git. */
    private static String gitHead() throws InterruptedException {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (!git.waitFor(20, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return null;
            }
            return git.exitValue() == 0 && out.matches("[0-9a-f]{7}") ? out : null;
        } catch (IOException noGit) {
            return null;
        }
    }
}
