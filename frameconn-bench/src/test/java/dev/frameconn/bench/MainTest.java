package dev.frameconn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The whole program, tiny: ping-pong unpinned and in the pinned child JVM, as JSON. */
class MainTest {

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void pingPongRunsUnpinnedAndInAPinnedChild() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--workloads", "ping-pong", "--impls", "raw,frameconn", "--rounds", "1",
                "--warmup", "0", "--duration-ms", "50", "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String errors = err.toString(StandardCharsets.UTF_8);
        assertThat(status).as(errors).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(4).allMatch(l -> l.startsWith("{\"workload\":\"ping-pong\""));
        assertThat(lines.get(0)).contains("\"impl\":\"raw\"", "\"mode\":\"batch\"", "\"pinned\":false", "\"p50_us\":");
        assertThat(lines.get(1)).contains("\"impl\":\"frameconn\"", "\"mode\":\"per-frame\"", "\"pinned\":false");
        // pinned rows: measured in the child, or skipped with a reason where taskset is missing or refused
        assertThat(lines.subList(2, 4)).allMatch(l -> l.contains("\"pinned\":true")
                && (l.contains("\"p99_us\":") || l.contains("\"skipped\":")));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void idleConnectionsAreMeasuredAgainstAChildServer() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--idle-only", "--idle-connections", "200", "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        // figures are not asserted (GC noise with few connections); the run itself checks every reader ended
        assertThat(lines).singleElement().asString().startsWith("{\"workload\":\"idle\",\"impl\":\"frameconn\","
                + "\"connections\":200,\"heap_bytes_per_conn\":").contains("\"total_bytes_per_conn\":");
    }

    @Test
    void badArgumentsExitWith2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--impls", "carrier-pigeon"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("impl=carrier-pigeon is none of");
    }
}
