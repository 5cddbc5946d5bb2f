package dev.frameconn.bench;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.stream.StreamConn;
import dev.frameconn.tls.TlsConfig;
import dev.frameconn.tls.TlsFrameServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * The transfer workload's {@code startup_ms}: a real {@code frameconn send}
 * process is started against a listener in this JVM (frameconn's own
 * {@link FrameServer}, or {@link TlsFrameServer} with the same certificates
 * as the TLS rows), and the time is taken from just before the process start
 * to the moment the listener's {@code readFrame} returns the first data frame
 * (the first frame of an application type with a payload: heartbeats and the
 * stream layer's control frames skipped; today that is the CLI's data type 1):
 * launcher, JVM start, connection, TLS handshake and the first chunk of the
 * file (up to 512 KiB, one loopback hop). The
 * listener then closes the connection and the sender is killed; this run is
 * not part of any timed round.
 */
final class StartupProbe {
    private StartupProbe() {}

    /**
     * Starts the sender made by {@code command} (given the port to connect to)
     * with {@code stdin} as its standard input; returns milliseconds to its
     * first data frame.
     *
     * @param tls the listener's TLS configuration, or null for plain TCP
     * @throws BenchmarkFailure with the sender's stderr if no data frame arrives within {@code timeout}
     */
    static double measure(String name, IntFunction<List<String>> command, ProcessBuilder.Redirect stdin,
            TlsConfig tls, Path dir, Duration timeout) throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (Listener listener = tls == null ? new Plain(FrameServer.bind(any, FrameConnConfig.defaults()))
                : new Tls(TlsFrameServer.bind(any, tls, FrameConnConfig.defaults()))) {
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            FutureTask<Long> firstFrame = new FutureTask<>(() -> {
                try (FrameConn conn = listener.accept()) {
                    while (true) {
                        try (Frame frame = conn.readFrame()) {
                            if (isData(frame)) {
                                return System.nanoTime();
                            }
                        }
                    }
                }
            });
            Thread.ofPlatform().name("startup-probe-" + name).daemon().start(firstFrame);
            try (ToolProcess sender = ToolProcess.start(name + "-startup", command.apply(port), dir, stdin,
                    ProcessBuilder.Redirect.DISCARD)) {
                try {
                    long at = firstFrame.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                    return (at - sender.startNanos()) / 1e6;
                } catch (TimeoutException e) {
                    throw new BenchmarkFailure(name + ": no data frame from the sender within " + timeout.toSeconds()
                            + " s (startup probe). " + sender.describe());
                } catch (ExecutionException e) {
                    throw new BenchmarkFailure(name + ": the startup probe's listener failed: " + e.getCause()
                            + ". " + sender.describe(), e.getCause());
                }
            } finally {
                listener.close(); // unblocks an accept still waiting
                firstFrame.cancel(true);
            }
        }
    }

    /** Data, not a heartbeat or stream control frame: an application type with a payload. */
    static boolean isData(Frame frame) {
        return HeartbeatConn.isApplicationType(frame.type()) && StreamConn.isApplicationType(frame.type())
                && frame.length() > 0;
    }

    /** A plain or TLS frameconn listener, as the probe needs it. */
    private interface Listener extends AutoCloseable {
        FrameConn accept() throws IOException;

        java.net.SocketAddress localAddress();

        @Override
        void close() throws IOException;
    }

    private record Plain(FrameServer server) implements Listener {
        @Override
        public FrameConn accept() throws IOException {
            return server.accept();
        }

        @Override
        public java.net.SocketAddress localAddress() {
            return server.localAddress();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private record Tls(TlsFrameServer server) implements Listener {
        @Override
        public FrameConn accept() throws IOException {
            return server.accept().conn();
        }

        @Override
        public java.net.SocketAddress localAddress() {
            return server.localAddress();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
