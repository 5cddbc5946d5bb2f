package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.probe.RequeueFairnessProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Busy connections must not shut out a thread that waits in the JDK's shared
 * queue. {@code Thread.yield} puts a virtual thread back on its carrier's own
 * queue, which the carrier runs until it is empty: connections whose sockets
 * never block then take turns among themselves indefinitely, and a virtual
 * thread started or woken by a platform thread (an accept loop, a timer, the
 * JDK's I/O poller when it was parked) never runs. {@link CarrierQuota} parks
 * a crowded thread for the shortest time instead, which requeues it behind
 * that shared queue. Here, in a child JVM with one carrier, four loopback
 * connections transfer as fast as they can while a platform thread starts 15
 * virtual threads one after another; the median of them must run before the
 * busy connections read 1,000 frames of 64 KiB (about 4 per quota and
 * direction: with the change the median was 40–72; with {@code Thread.yield}
 * alone the first one did not run within 20 s).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequeueFairnessTest {
    @Test
    void threadsStartedByPlatformThreadsRunBesideBusyConnections(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.txt");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.virtualThreadScheduler.parallelism=1",
                "-Djdk.virtualThreadScheduler.maxPoolSize=1",
                "--module-path", codeSource(FrameConn.class),
                "--add-modules", "dev.frameconn",
                "-cp", codeSource(RequeueFairnessProbe.class),
                "-Xmx256m",
                RequeueFairnessProbe.class.getName(), "4", "65536", "15", "1000");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(100, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(out);
        System.out.println("RequeueFairnessTest: " + output);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("latecomers on time");
    }

    /** Where a class was loaded from. */
    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
