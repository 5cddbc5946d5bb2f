package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.probe.ReadFairnessProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Readers share their carriers. A virtual thread whose socket always has data
 * never blocks and is never preempted, so without a read quota one reader keeps
 * its carrier and the others read nothing. Here, in a child JVM whose
 * virtual-thread scheduler has one carrier, many connections are each written
 * as fast as they can over loopback TCP by platform threads (sockets filled
 * before the readers start) and read by virtual threads; every reader must get
 * its first frame before the others have read a bound of frames. The bound is
 * work, not time, so a busy machine does not move it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadFairnessTest {
    @ParameterizedTest
    @CsvSource({"8, 65536, 168"})
    void everyReaderGetsFramesOnOneCarrier(int connections, int payload, int bound, @TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("out.txt");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1",
                "--module-path", codeSource(FrameConn.class),
                "--add-modules", "dev.frameconn",
                "-cp", codeSource(ReadFairnessProbe.class),
                "-Xmx256m",
                ReadFairnessProbe.class.getName(), Integer.toString(connections), Integer.toString(payload),
                Integer.toString(bound));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(out);
        System.out.println("ReadFairnessTest " + connections + " " + payload + ": " + output);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("late=0 of " + connections);
    }

    /** Where a class was loaded from. */
    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
