package dev.frameconn.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Ports for the transfer workload's receivers, and waiting until one listens.
 * Readiness is read from the kernel's socket tables ({@code /proc/net/tcp} and
 * {@code tcp6}), not probed by connecting: nc, socat and mbuffer accept
 * exactly one connection, which a probe would use up.
 */
final class LoopbackPorts {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** TCP_LISTEN in the "st" column. */
    private static final String LISTEN = "0A";

    private LoopbackPorts() {}

    /** A port free on 127.0.0.1 just now (the kernel's pick), for a receiver to bind. */
    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** True if some socket listens on TCP {@code port} (any address). */
    static boolean listening(int port) throws IOException {
        String hex = String.format(Locale.ROOT, ":%04X", port);
        boolean readable = false;
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue;
            }
            readable = true;
            for (String line : Files.readAllLines(table)) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st ...
                if (f.length > 3 && f[1].endsWith(hex) && f[3].equals(LISTEN)) {
                    return true;
                }
            }
        }
        if (!readable) {
            throw new BenchmarkFailure("the transfer workload needs /proc/net/tcp to see a receiver listen "
                    + "(Linux only)");
        }
        return false;
    }

    /**
     * Returns once a socket listens on {@code port}; polls every millisecond.
     *
     * @throws BenchmarkFailure with the receiver's stderr if it exits first, or after {@code timeout}
     */
    static void awaitListening(int port, ToolProcess receiver, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!listening(port)) {
            if (!receiver.isAlive()) {
                throw new BenchmarkFailure("the receiver exited before listening on port " + port + ". "
                        + receiver.describe());
            }
            if (System.nanoTime() > deadline) {
                throw new BenchmarkFailure("the receiver did not listen on port " + port + " within "
                        + timeout.toSeconds() + " s. " + receiver.describe());
            }
            Thread.sleep(1);
        }
    }
}
