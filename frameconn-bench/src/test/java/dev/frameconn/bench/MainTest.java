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
        assertThat(lines).hasSize(5).allMatch(l -> l.startsWith("{\"workload\":\"ping-pong\""));
        assertThat(lines.get(0)).contains("\"impl\":\"raw\"", "\"mode\":\"batch\"", "\"pinned\":false", "\"p50_us\":");
        assertThat(lines.get(1)).contains("\"impl\":\"frameconn\"", "\"mode\":\"per-frame\"", "\"pinned\":false",
                "\"cpu_pct\":");
        // the spinning reader: unpinned only, with the CPU it burns
        assertThat(lines.get(2)).contains("\"impl\":\"frameconn\"", "\"mode\":\"spin\"", "\"pinned\":false",
                "\"cpu_pct\":");
        // pinned rows: measured in the child, or skipped with a reason where taskset is missing or refused
        assertThat(lines.subList(3, 5)).allMatch(l -> l.contains("\"pinned\":true") && !l.contains("\"spin\"")
                && (l.contains("\"p99_us\":") || l.contains("\"skipped\":")));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void idleConnectionsAreMeasuredAgainstAChildServer() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--idle-only", "--idle-connections", "200", "--idle-warmup", "250",
                "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        // figures are not asserted (GC noise with few connections); the run itself checks every reader ended
        assertThat(lines).singleElement().asString().startsWith("{\"workload\":\"idle\",\"impl\":\"frameconn\","
                + "\"connections\":200,\"heartbeat_ms\":0,\"warmup_connections\":250,\"heap_bytes_per_conn\":")
                .contains("\"total_bytes_per_conn\":").contains("\"clean_client\":200,\"clean_server\":200");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void idleConnectionsCarryHeartbeatsAtSeveralSizesAndAllShutDownCleanly() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // a 1 s interval (peer timeout 2 s) leaves room for a loaded machine; 3 s see about 3 heartbeats each
        int status = Main.run(new String[] {"--idle-only", "--idle-connections", "50,150", "--idle-heartbeat", "1s",
                "--idle-cpu-window", "3s", "--idle-warmup", "100", "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        int[] sizes = {50, 150};
        for (int i = 0; i < 2; i++) {
            int n = sizes[i];
            assertThat(lines.get(i)).contains("\"connections\":" + n + ",\"heartbeat_ms\":1000,\"warmup_connections\":100,")
                    .contains("\"clean_client\":" + n + ",\"clean_server\":" + n + ",")
                    .contains("\"cpu_pct_per_1k_heartbeat\":");
            // heartbeats flowed: about n per second arrive; at least a third of that, whatever the load
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"heartbeats_per_s\":(\\d+)")
                    .matcher(lines.get(i));
            assertThat(m.find()).as(lines.get(i)).isTrue();
            assertThat(Long.parseLong(m.group(1))).as(lines.get(i)).isGreaterThanOrEqualTo(n / 3);
        }
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
