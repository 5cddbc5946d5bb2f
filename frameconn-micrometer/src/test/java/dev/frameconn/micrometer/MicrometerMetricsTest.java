package dev.frameconn.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.heartbeat.HeartbeatConfig;
import dev.frameconn.heartbeat.HeartbeatConn;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real connections report into Micrometer; the HTTP endpoint serves them to a real HTTP client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MicrometerMetricsTest {

    @Test
    void framesHeartbeatsAndShutdownsAreCountedAndScraped() throws Exception {
        PrometheusMeterRegistry registry = PrometheusHttpServer.newRegistry();
        MicrometerMetrics metrics = new MicrometerMetrics(registry);
        FrameConnConfig config = FrameConnConfig.defaults().withMetrics(metrics);
        HeartbeatConfig hbConfig = HeartbeatConfig.defaults().withMetrics(metrics)
                .withSendInterval(Duration.ofMillis(20)).withPeerTimeout(Duration.ofSeconds(10));
        try (FrameServer server = FrameServer.bind(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config);
                PrometheusHttpServer http = PrometheusHttpServer.start(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry)) {
            CompletableFuture<FrameConn> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            HeartbeatConn a = HeartbeatConn.wrap(FrameConn.connect(server.localAddress(), config), hbConfig);
            HeartbeatConn b = HeartbeatConn.wrap(accepted.join(), hbConfig);
            a.writeFrame(1, new byte[100]);
            try (Frame f = b.readFrame()) {
                assertThat(f.length()).isEqualTo(100);
            }
            // real time, short interval: wait (bounded) until both sides have exchanged a heartbeat
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((a.heartbeatsReceived() == 0 || b.heartbeatsReceived() == 0) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            CompletableFuture<Boolean> bDown = CompletableFuture.supplyAsync(() -> b.shutdown().clean());
            try {
                a.readFrame().close();
            } catch (java.io.IOException expected) {
                // b's RST
            }
            assertThat(a.shutdown().clean()).isTrue();
            assertThat(bDown.get(20, TimeUnit.SECONDS)).isTrue();

            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.address().getPort() + "/metrics"))
                            .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue(PrometheusHttpServer.CONTENT_TYPE);
            String body = response.body();
            assertThat(body).contains("frameconn_frames_written_total")
                    .contains("frameconn_payload_read_bytes_total")
                    .contains("frameconn_shutdown_seconds_count 2")
                    .contains("frameconn_shutdown_drain_seconds_count 2")
                    .contains("frameconn_shutdown_hard_closes_total{step=\"write_frame\"} 0.0")
                    .contains("frameconn_stalls_total{direction=\"send\"} 0.0");
            assertThat(valueOf(body, "frameconn_heartbeats_received_total")).isGreaterThanOrEqualTo(2);
            assertThat(valueOf(body, "frameconn_payload_read_bytes_total")).isGreaterThanOrEqualTo(100);
            assertThat(client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + http.address().getPort() + "/other")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
        }
    }

    private static double valueOf(String body, String name) {
        return body.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(
                l -> Double.parseDouble(l.substring(name.length() + 1).trim())).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in:\n" + body));
    }
}
