package dev.frameconn.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user gets it: unpacked into an empty directory and run with an
 * environment that has no JDK in it (PATH=/usr/bin:/bin, no JAVA_HOME; a {@code java} placed
 * first on the PATH fails loudly if anything runs it), the launcher reached through a symlink.
 * The archive is built at {@code package} by src/build/make-dist.sh; this runs at
 * {@code integration-test} (failsafe).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DistTarballIT {
    private static final long MAX_ARCHIVE_BYTES = 60L * 1024 * 1024;
    private static final int TRANSFER_BYTES = 16 * 1024 * 1024;
    /** Modules jdeps finds in the CLI jar that the runtime leaves out on purpose (make-dist.sh says why). */
    private static final Set<String> LEFT_OUT = Set.of("java.desktop", "java.sql");

    @TempDir
    Path dir;

    private Path tarball;
    private String version;
    private Path home;
    private Path launcher;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void unpack() throws Exception {
        tarball = Path.of(property("dist.tarball"));
        version = property("dist.version");
        assertThat(tarball).isRegularFile();
        Path unpacked = Files.createDirectory(dir.resolve("unpacked"));
        Result tar = run(unpacked, List.of("tar", "-xzf", tarball.toString()), plainPath());
        assertThat(tar.status).as(tar.output).isZero();
        home = unpacked.resolve("frameconn-" + version);
        // The way a user puts it on the PATH: a symlink elsewhere (the launcher must follow it).
        Path userBin = Files.createDirectory(dir.resolve("user-bin"));
        launcher = Files.createSymbolicLink(userBin.resolve("frameconn"), home.resolve("bin/frameconn"));
    }

    @AfterEach
    void killLeftovers() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void holdsTheLauncherRuntimeJarAndLegalFilesWithinTheSizeLimit() throws IOException {
        assertThat(Files.size(tarball)).as("archive size").isLessThanOrEqualTo(MAX_ARCHIVE_BYTES);
        assertThat(tarball.getFileName().toString()).isEqualTo("frameconn-" + version + "-linux-x64.tar.gz");
        for (String f : List.of("bin/frameconn", "runtime/bin/java")) {
            assertThat(home.resolve(f)).isExecutable();
        }
        for (String f : List.of("lib/frameconn-cli.jar", "README.md", "LICENSE", "NOTICE", "THIRD-PARTY-NOTICES.txt",
                "runtime/lib/server/classes.jsa")) {
            assertThat(home.resolve(f)).isRegularFile();
        }
        assertThat(Files.readString(home.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004");
        assertThat(home.resolve("runtime/include")).doesNotExist();
    }

    @Test
    void runtimeHoldsEveryModuleTheCliNeedsPlusJfr() throws Exception {
        Result listed = run(dir, List.of(home.resolve("runtime/bin/java").toString(), "--list-modules"), plainPath());
        assertThat(listed.status).as(listed.output).isZero();
        Set<String> runtimeModules = new TreeSet<>();
        for (String line : listed.output.split("\n")) {
            if (!line.isBlank()) {
                runtimeModules.add(line.substring(0, line.indexOf('@')));
            }
        }
        Set<String> needed = jdepsModules(Path.of(property("dist.cliJar")));
        needed.removeAll(LEFT_OUT);
        assertThat(needed).as("jdeps of the CLI jar").contains("java.base");
        assertThat(runtimeModules).containsAll(needed).contains("jdk.jfr").doesNotContainAnyElementsOf(LEFT_OUT);
    }

    @Test
    void versionNamesTheProjectVersionWithoutAnyJdkOnThePath() throws Exception {
        Result v = run(dir, List.of(launcher.toString(), "--version"), trappedPath());
        assertThat(v.status).as(v.output).isZero();
        assertThat(v.output).doesNotContain("WRONG JAVA");
        String first = v.output.lines().findFirst().orElse("");
        assertThat(first).as(v.output).matches("frameconn " + java.util.regex.Pattern.quote(version) + "( .*)?");
    }

    @Test
    void sendsSixteenMebibytesToRecvWithTheBundledRuntime() throws Exception {
        long seed = System.nanoTime();
        System.out.println("DistTarballIT seed=" + seed);
        byte[] data = new byte[TRANSFER_BYTES];
        new Random(seed).nextBytes(data);
        Path input = Files.write(dir.resolve("in.bin"), data);
        Path output = dir.resolve("out.bin");
        Path recvErr = dir.resolve("recv.err");

        ProcessBuilder recvBuilder = new ProcessBuilder(launcher.toString(), "recv", "--listen", "127.0.0.1:0",
                "--output", output.toString(), "--progress", "never")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(recvErr.toFile());
        environment(recvBuilder, trappedPath());
        Process recv = recvBuilder.start();
        started.add(recv);
        String address = awaitListening(recv, recvErr);

        // The launcher execs the bundled java: the recv process is that binary, not /usr/bin/java.
        Path exe = Path.of("/proc", Long.toString(recv.pid()), "exe").toRealPath();
        assertThat(exe).isEqualTo(home.resolve("runtime/bin/java").toRealPath());

        Result send = run(dir, List.of(launcher.toString(), "send", address, "--input", input.toString(),
                "--progress", "never"), trappedPath());
        assertThat(send.status).as(send.output).isZero();
        assertThat(recv.waitFor(60, TimeUnit.SECONDS)).as("recv exits").isTrue();
        String recvOutput = Files.readString(recvErr);
        assertThat(recv.exitValue()).as(recvOutput).isZero();
        String sha = HexFormat.of().formatHex(sha256(data));
        assertThat(send.output).contains("sent " + TRANSFER_BYTES + " bytes, sha256 " + sha).doesNotContain("WRONG JAVA");
        assertThat(recvOutput).contains("received " + TRANSFER_BYTES + " bytes, sha256 " + sha);
        assertThat(Arrays.equals(Files.readAllBytes(output), data)).as("received bytes equal the sent ones").isTrue();
    }

    private static String awaitListening(Process recv, Path err) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(err) ? Files.readString(err) : "";
            int at = text.indexOf("listening on ");
            if (at >= 0 && text.indexOf('\n', at) > 0) {
                return text.substring(at + "listening on ".length(), text.indexOf('\n', at)).trim();
            }
            if (!recv.isAlive()) {
                throw new AssertionError("recv exited with " + recv.exitValue() + ": " + text);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("recv did not print 'listening on' within 60 s: " + Files.readString(err));
    }

    /** PATH with no JDK at all: only the system directories (here /usr/bin/java is a JDK 17). */
    private static String plainPath() {
        return "/usr/bin:/bin";
    }

    /** A PATH whose first java fails loudly: anything that runs "java" from the PATH is caught. */
    private String trappedPath() throws IOException {
        Path trap = dir.resolve("trap-bin");
        if (!Files.exists(trap)) {
            Files.createDirectory(trap);
            Path java = trap.resolve("java");
            Files.writeString(java, "#!/bin/sh\necho 'WRONG JAVA: the PATH java ran' >&2\nexit 97\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return trap + ":" + plainPath();
    }

    private static void environment(ProcessBuilder builder, String path) {
        builder.environment().clear();
        builder.environment().put("PATH", path);
    }

    private record Result(int status, String output) {}

    private Result run(Path cwd, List<String> command, String path) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        environment(builder, path);
        Process p = builder.start();
        started.add(p);
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s exits", command).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static Set<String> jdepsModules(Path jar) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(
                () -> new AssertionError("jdeps is missing: the tests need a full JDK"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = jdeps.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "--print-module-deps", "--ignore-missing-deps",
                "--multi-release", Integer.toString(Runtime.version().feature()), jar.toString());
        String text = out.toString(StandardCharsets.UTF_8).trim();
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return new TreeSet<>(Arrays.asList(text.split(",")));
    }

    private static byte[] sha256(byte[] data) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set: run through Maven (mvn -pl frameconn-dist -am verify)");
        }
        return value;
    }
}
