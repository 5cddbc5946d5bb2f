package dev.frameconn.micrometer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A tiny HTTP endpoint that serves a {@link PrometheusMeterRegistry} in
 * Prometheus text format: {@code GET /metrics} (and {@code GET /}). Built on
 * the JDK's own HTTP server, one virtual thread per request; nothing else is
 * served. {@link #close()} stops it and waits for requests in progress, at most
 * one second.
 */
public final class PrometheusHttpServer implements AutoCloseable {
    /** Content type of the Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PrometheusHttpServer(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
    }

    /**
     * A fresh Prometheus registry with Micrometer's defaults.
     *
     * @return the new registry
     */
    public static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /**
     * Starts serving {@code registry} on {@code address} (port 0 picks a free
     * port; see {@link #address()}).
     *
     * @param address the address to serve on
     * @param registry the registry to serve
     * @return the running server
     * @throws IOException if the address cannot be bound
     */
    public static PrometheusHttpServer start(InetSocketAddress address, PrometheusMeterRegistry registry)
            throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(registry, "registry");
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("frameconn-metrics-http-", 0).factory());
        PrometheusHttpServer metrics = new PrometheusHttpServer(server, executor, registry);
        server.createContext("/", metrics::handle);
        server.setExecutor(executor);
        server.start();
        return metrics;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/metrics") && !path.equals("/")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * The address served, with the real port.
     *
     * @return the address served
     */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * The registry served.
     *
     * @return the registry served
     */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Stops serving. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(1);
            executor.shutdown();
        }
    }
}
