package dev.frameconn.cli;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.ShutdownResult;
import dev.frameconn.buffer.BufferPool;
import dev.frameconn.heartbeat.HeartbeatConfig;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.metrics.InMemoryMetrics;
import dev.frameconn.metrics.ShutdownStep;
import dev.frameconn.stream.StreamConn;
import dev.frameconn.stream.StreamInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code frameconn demo}: the library's main job, end to end, in one process.
 * A server and a client, each on a virtual thread, talk over real loopback
 * TCP through all three layers: framing, heartbeats (SPEC §7) and the stream
 * layer (SPEC §8). The client sends {@link DemoStream}'s payloads, read in
 * chunks of random size, as one byte stream; the stream layer cuts it into
 * frames of at most 512 KiB and ends it with END. Both ends hash the bytes
 * (SHA-256); the client shuts down with the RST handshake and the server,
 * having read that RST after the stream, shuts down in turn.
 *
 * <p>Exits 0 only if all of this held: every byte sent and received, equal
 * digests, the stream ended with END, the server's reads then ended with the
 * peer's RST, both shutdowns clean, no hard close and no close error in either
 * side's metrics, and no pooled buffer left outstanding.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
            "Run server and client over loopback TCP, verify every byte, shut down cleanly.",
            "",
            "Server and client run in this process, each on a virtual thread, over framing, heartbeats "
                    + "and the stream layer. The client sends a byte stream read in chunks of random size "
                    + "(mostly --frame-size, some small, some empty), which the stream layer carries in "
                    + "frames of at most 512 KiB and ends with END; both ends hash the bytes with SHA-256, "
                    + "the client shuts down with the RST handshake and the server answers. Prints chunks, "
                    + "frames, bytes, MB/s, both digests, both shutdown results and both sides' shutdown "
                    + "metrics.",
            ""
        },
        exitCodeListHeading = ExitCode.HEADING,
        exitCodeList = {
            "0:all data verified, both shutdowns clean, no buffer leaked",
            "1:a check failed (each failed check is printed)",
            ExitCode.USAGE_LINE,
            ExitCode.INTERNAL_LINE
        })
final class DemoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--bytes", paramLabel = "SIZE", converter = Sizes.Converter.class, defaultValue = "256MiB",
            description = "Payload bytes to send in all (default: ${DEFAULT-VALUE}).")
    private long bytes;

    @Option(names = "--frame-size", paramLabel = "SIZE", converter = Sizes.Converter.class,
            defaultValue = "256KiB",
            description = "Payload of a full frame, at most 16MiB; some frames are smaller or empty "
                    + "(default: ${DEFAULT-VALUE}).")
    private long frameSize;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the pseudo-random payloads and frame sizes (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    private boolean json;

    /** What the server saw. */
    private record ServerSide(long frames, long bytes, String sha256, IOException end, long endNanos,
            ShutdownResult shutdown) {}

    /** What the client did. */
    private record ClientSide(long frames, long bytes, String sha256, IOException failure, long startNanos,
            ShutdownResult shutdown) {}

    @Override
    public Integer call() throws Exception {
        int maxFrame = FrameConnConfig.DEFAULT_MAX_PAYLOAD_LENGTH;
        if (frameSize < 1 || frameSize > maxFrame) {
            throw new ParameterException(spec.commandLine(),
                    "--frame-size=" + frameSize + " must be in 1.." + maxFrame + " (16MiB)");
        }
        DemoStream stream = new DemoStream(bytes, (int) frameSize, seed);
        InMemoryMetrics serverMetrics = new InMemoryMetrics();
        InMemoryMetrics clientMetrics = new InMemoryMetrics();
        FrameConnConfig serverConfig = FrameConnConfig.defaults().withMetrics(serverMetrics);
        FrameConnConfig clientConfig = FrameConnConfig.defaults().withMetrics(clientMetrics);

        ServerSide server;
        ClientSide client;
        SocketAddress address;
        try (FrameServer listener = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                serverConfig);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            address = listener.localAddress();
            Future<ServerSide> serverTask = threads.submit(() -> receive(listener));
            Future<ClientSide> clientTask = threads.submit(() -> send(address, clientConfig, stream));
            try {
                client = clientTask.get();
            } catch (ExecutionException e) {
                serverTask.cancel(true); // interrupting accept closes the listener: no wait for ever
                throw e;
            }
            server = serverTask.get();
        }
        long outstanding = BufferPool.shared().outstanding();

        List<String> failures = verify(server, client, serverMetrics, clientMetrics, outstanding);
        double seconds = (server.endNanos() - client.startNanos()) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(jsonReport(address, server, client, seconds, serverMetrics, clientMetrics, outstanding,
                    failures));
        } else {
            printText(out, address, server, client, seconds, serverMetrics, clientMetrics, outstanding, failures);
        }
        out.flush();
        return failures.isEmpty() ? ExitCode.OK : ExitCode.FAILED;
    }

    /** Frame type of the demo's data stream, as zrepl's data connection uses 1..5. */
    private static final int STREAM_TYPE = 1;

    private static ServerSide receive(FrameServer listener) throws IOException {
        HeartbeatConn hb = HeartbeatConn.wrap(listener.accept(), HeartbeatConfig.defaults());
        try {
            StreamConn conn = StreamConn.over(hb);
            MessageDigest digest = Sha256.newDigest();
            long received = 0;
            IOException end = null;
            try (StreamInput in = conn.receive(STREAM_TYPE)) {
                byte[] chunk = new byte[64 << 10];
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    digest.update(chunk, 0, n);
                    received += n;
                }
            } catch (IOException e) {
                end = e; // the stream did not end with END
            }
            long endNanos = System.nanoTime();
            if (end == null) {
                // after the stream, the next thing from the client is its RST
                try (Frame unexpected = hb.readFrame()) {
                    end = new IOException("unexpected frame after the stream: type=" + unexpected.type());
                } catch (IOException e) {
                    end = e;
                }
            }
            ShutdownResult shutdown = hb.shutdown();
            long frames = hb.frameConn().config().metrics() instanceof InMemoryMetrics m
                    ? m.framesRead() - hb.heartbeatsReceived() : -1;
            return new ServerSide(frames, received, Sha256.hex(digest), end, endNanos, shutdown);
        } finally {
            hb.close();
        }
    }

    private static ClientSide send(SocketAddress address, FrameConnConfig config, DemoStream stream)
            throws IOException {
        HeartbeatConn hb = HeartbeatConn.wrap(FrameConn.connect(address, config), HeartbeatConfig.defaults());
        try {
            StreamConn conn = StreamConn.over(hb);
            MessageDigest digest = Sha256.newDigest();
            long sent = 0;
            IOException failure = null;
            long start = System.nanoTime();
            try {
                sent = conn.send(STREAM_TYPE, chunks(stream, digest));
            } catch (IOException e) {
                failure = e;
            }
            ShutdownResult shutdown = hb.shutdown();
            return new ClientSide(stream.frames(), sent, Sha256.hex(digest), failure, start, shutdown);
        } finally {
            hb.close();
        }
    }

    /** The demo's payloads as one byte stream, served in reads of the demo's (random) chunk sizes. */
    private static InputStream chunks(DemoStream stream, MessageDigest digest) {
        return new InputStream() {
            private ByteBuffer current = ByteBuffer.allocate(0);

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                while (!current.hasRemaining()) {
                    if (!stream.hasNext()) {
                        return -1;
                    }
                    stream.next();
                    current = stream.payload();
                }
                int n = Math.min(len, current.remaining());
                current.get(b, off, n);
                digest.update(b, off, n);
                return n;
            }
        };
    }

    private List<String> verify(ServerSide server, ClientSide client,
            InMemoryMetrics serverMetrics, InMemoryMetrics clientMetrics, long outstanding) {
        List<String> failures = new ArrayList<>();
        if (client.failure() != null) {
            failures.add("client write failed: " + EndReason.messageOf(client.failure()));
        }
        if (client.bytes() != bytes) {
            failures.add("client sent " + client.bytes() + " bytes; expected " + bytes + " bytes");
        }
        if (server.bytes() != client.bytes()) {
            failures.add("server received " + server.bytes() + " bytes; client sent " + client.bytes() + " bytes");
        }
        if (!server.sha256().equals(client.sha256())) {
            failures.add("sha256 differs: client " + client.sha256() + ", server " + server.sha256());
        }
        if (!(server.end() instanceof ConnectionShutdownException s && s.byPeer())) {
            failures.add("server reads ended with " + EndReason.of(server.end()).label() + " ("
                    + EndReason.messageOf(server.end()) + "), not the client's RST");
        }
        if (!client.shutdown().clean()) {
            failures.add("client " + EventPrinter.shutdownText(client.shutdown()));
        }
        if (!server.shutdown().clean()) {
            failures.add("server " + EventPrinter.shutdownText(server.shutdown()));
        }
        checkMetrics(failures, "client", clientMetrics);
        checkMetrics(failures, "server", serverMetrics);
        if (outstanding != 0) {
            failures.add("buffer pool: outstanding=" + outstanding + " buffers never released");
        }
        return failures;
    }

    private static void checkMetrics(List<String> failures, String side, InMemoryMetrics m) {
        if (m.shutdowns() != 1 || m.hardCloses() != 0 || m.closeErrors() != 0) {
            failures.add(side + " metrics: shutdowns=" + m.shutdowns() + ", hard closes " + byStep(m, true)
                    + ", close errors " + byStep(m, false));
        }
    }

    private static void printText(PrintWriter out, SocketAddress address, ServerSide server, ClientSide client,
            double seconds, InMemoryMetrics serverMetrics, InMemoryMetrics clientMetrics, long outstanding,
            List<String> failures) {
        out.println("frameconn demo: client -> server over loopback TCP " + Addresses.format(address)
                + ", one stream over heartbeats");
        out.printf(Locale.ROOT, "sent      %d bytes (%s) read in %d chunks of random size, in %.3f s: %.1f MB/s%n",
                client.bytes(), Sizes.format(client.bytes()), client.frames(), seconds, mbPerSecond(client, seconds));
        out.printf(Locale.ROOT, "received  %d bytes in %d frames (data of at most 512 KiB, then END)%n",
                server.bytes(), server.frames());
        out.println("sha256    client " + client.sha256() + " (every byte of the stream)");
        out.println("sha256    server " + server.sha256()
                + (server.sha256().equals(client.sha256()) ? " (equal)" : " (DIFFERENT)"));
        out.println("server    end: " + EndReason.of(server.end()).label() + " ("
                + EndReason.messageOf(server.end()) + ")");
        out.println("client    " + EventPrinter.shutdownText(client.shutdown()));
        out.println("server    " + EventPrinter.shutdownText(server.shutdown()));
        out.println("metrics   client: " + metricsText(clientMetrics));
        out.println("metrics   server: " + metricsText(serverMetrics));
        out.println("buffers   outstanding=" + outstanding);
        if (failures.isEmpty()) {
            out.println("result    ok: every byte verified, stream ended with END, RST handshake clean on both sides");
        } else {
            for (String failure : failures) {
                out.println("FAILED    " + failure);
            }
        }
    }

    private static String metricsText(InMemoryMetrics m) {
        return "shutdowns " + m.shutdowns()
                + ", shutdown " + String.format(Locale.ROOT, "%.6f s", m.shutdownNanos() / 1e9)
                + ", drain " + String.format(Locale.ROOT, "%.6f s", m.drainNanos() / 1e9)
                + ", drain bytes " + m.drainBytes()
                + ", hard closes " + byStep(m, true)
                + ", close errors " + byStep(m, false);
    }

    /** Non-zero counters by step label, e.g. {@code drain=1}, or {@code none}. */
    private static String byStep(InMemoryMetrics m, boolean hardCloses) {
        StringBuilder s = new StringBuilder();
        for (ShutdownStep step : ShutdownStep.values()) {
            long n = hardCloses ? m.hardCloses(step) : m.closeErrors(step);
            if (n != 0) {
                s.append(s.isEmpty() ? "" : " ").append(step.label()).append('=').append(n);
            }
        }
        return s.isEmpty() ? "none" : s.toString();
    }

    private static String jsonReport(SocketAddress address, ServerSide server, ClientSide client, double seconds,
            InMemoryMetrics serverMetrics, InMemoryMetrics clientMetrics, long outstanding, List<String> failures) {
        return Json.event("demo")
                .put("ok", failures.isEmpty())
                .put("address", Addresses.format(address))
                .put("frames", client.frames())
                .put("bytes", client.bytes())
                .put("seconds", seconds)
                .put("mb_per_second", mbPerSecond(client, seconds))
                .put("received_frames", server.frames())
                .put("received_bytes", server.bytes())
                .put("sha256_client", client.sha256())
                .put("sha256_server", server.sha256())
                .put("server_end", Json.object()
                        .put("reason", EndReason.of(server.end()).label())
                        .put("message", EndReason.messageOf(server.end())))
                .put("client_shutdown", EventPrinter.shutdownFields(Json.object(), client.shutdown(), "seconds"))
                .put("server_shutdown", EventPrinter.shutdownFields(Json.object(), server.shutdown(), "seconds"))
                .put("client_metrics", metricsJson(clientMetrics))
                .put("server_metrics", metricsJson(serverMetrics))
                .put("buffers_outstanding", outstanding)
                .put("failures", String.join("; ", failures))
                .toString();
    }

    private static Json metricsJson(InMemoryMetrics m) {
        Json hard = Json.object();
        Json errors = Json.object();
        for (ShutdownStep step : ShutdownStep.values()) {
            hard.put(step.label(), m.hardCloses(step));
            errors.put(step.label(), m.closeErrors(step));
        }
        return Json.object()
                .put("shutdowns", m.shutdowns())
                .put("shutdown_seconds", m.shutdownNanos() / 1e9)
                .put("drain_seconds", m.drainNanos() / 1e9)
                .put("drain_bytes", m.drainBytes())
                .put("hard_closes", hard)
                .put("close_errors", errors);
    }

    private static double mbPerSecond(ClientSide client, double seconds) {
        return seconds > 0 ? client.bytes() / 1e6 / seconds : 0;
    }
}
