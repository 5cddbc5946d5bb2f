package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The TLS handshake timeout as a {@code frameconn.Timeout} event of kind
 * {@code handshake}. This module does not read {@code jdk.jfr}, so the test
 * records as an operator would: {@code jcmd <this JVM> JFR.start}, then
 * {@code JFR.stop} to a file, read with {@code jfr print}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsFlightRecorderTest {
    private static final Duration SHORT_HANDSHAKE = Duration.ofMillis(700);

    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    /**
     * The first attach starts this JVM's attach listener, whose socket stays open
     * for the life of the JVM: started here, before the fixtures count open
     * sockets, it is not taken for a leak of the test.
     */
    @BeforeAll
    static void startAttachListener() throws Exception {
        tool("jcmd", String.valueOf(ProcessHandle.current().pid()), "VM.version");
    }

    @Test
    void handshakeTimeoutIsRecordedAsATimeoutOfKindHandshake() throws Exception {
        String name = "frameconn-tls-test-" + ProcessHandle.current().pid();
        Path file = f.tempDir().resolve("handshake.jfr");
        tool("jcmd", String.valueOf(ProcessHandle.current().pid()), "JFR.start", "name=" + name);
        InetSocketAddress silent;
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(TlsFixtures.loopback());
            silent = (InetSocketAddress) listener.getLocalAddress();
            Future<SocketChannel> accepted = f.submit(listener::accept);
            assertThatThrownBy(() -> TlsFrameConn.connect(silent,
                    TlsFixtures.clientTls().withHandshakeTimeout(SHORT_HANDSHAKE), f.config()))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(TlsHandshakeException.Reason.TIMEOUT));
            TlsFixtures.get(accepted).close();
        } finally {
            tool("jcmd", String.valueOf(ProcessHandle.current().pid()), "JFR.stop", "name=" + name,
                    "filename=" + file);
        }
        String printed = tool("jfr", "print", "--events", "frameconn.Timeout", file.toString());
        assertThat(printed).contains("frameconn.Timeout")
                .contains("remoteAddress = \"" + silent + "\"")
                .contains("kind = \"handshake\"")
                .contains("timeout = 700 ms");
    }

    /** Runs a JDK tool of this JVM's runtime; returns its output, fails on a non-zero exit or after a minute. */
    private static String tool(String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", tool).toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Future<byte[]> output = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        boolean ended = p.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        String text;
        try {
            text = new String(output.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } catch (ExecutionException | TimeoutException e) {
            text = "(output unreadable: " + e + ")";
        }
        assertThat(ended).as("%s ended within 60 s: %s", command, text).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, text).isZero();
        return text;
    }
}
