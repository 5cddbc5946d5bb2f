package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.probe.WriteFairnessProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Writers share their carriers. A virtual thread whose socket never blocks is
 * never preempted, so without a write quota one connection that the network
 * keeps up with holds its carrier and the others send nothing. Here, in a
 * child JVM whose virtual-thread scheduler has one carrier, many connections
 * each write as fast as they can over loopback TCP (read by platform threads)
 * and every one of them must get frames through within a bound. The bound is
 * work, not time (frames the others wrote before a connection's first write
 * returned: 24 per other connection, where the quota
 * lets about 4 through per turn and the old code let over 1,000), so a busy machine does not move it;
 * without the quota the first writer keeps the carrier until its socket fills.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WriteFairnessTest {
    @ParameterizedTest
    @CsvSource({"frame, 65536, 168"})
    void everyConnectionGetsFramesThroughOnOneCarrier(String mode, int payload, int bound, @TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("out.txt");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1",
                "--module-path", codeSource(FrameConn.class),
                "--add-modules", "dev.frameconn",
                "-cp", codeSource(WriteFairnessProbe.class),
                "-Xmx256m",
                WriteFairnessProbe.class.getName(), mode, "8", Integer.toString(payload),
                Integer.toString(bound));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(out);
        System.out.println("WriteFairnessTest " + mode + " " + payload + ": " + output);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("late=0 of 8");
    }

    /** Where a class was loaded from. */
    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
