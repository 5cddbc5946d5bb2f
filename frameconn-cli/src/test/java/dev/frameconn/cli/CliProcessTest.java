package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLI, each invocation in its own JVM, over real sockets: what a
 * person or a script sees. Raw misbehaving peers are plain {@link Socket}s
 * writing bytes by hand, so the listener is judged by an independent party.
 */
@SuppressWarnings("AddressSelection") // the tool listens on 127.0.0.1 itself: that literal address is the one to reach
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CliProcessTest {
    /** The RST frame as it appears on the wire: type 0x10000000, length 0. */
    private static final byte[] RST = {0x10, 0, 0, 0, 0, 0, 0, 0};
    private static final String HELLO_HEX = "68656c6c6f";

    @TempDir
    Path dir;

    @Test
    void listenAndSendPrintTheSameFrames() throws Exception {
        Files.write(dir.resolve("payload.bin"), new byte[] {1, 2, 3});
        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "127.0.0.1:0", "--connections", "1")) {
            String address = listener.nextLine().replace("listening on ", "");
            assertThat(address).matches("127\\.0\\.0\\.1:\\d+");
            try (CliProcess sender = CliProcess.start(dir, "frames", "send", address)) {
                sender.input("1 hex:" + HELLO_HEX + "\n# comment\n\n0x2 @payload.bin\n3 1000\n0x0fffffff 0\n");
                assertThat(sender.awaitExit()).as("send status; stderr: %s", sender.stderr()).isZero();
                assertThat(listener.awaitExit()).as("listen status; stderr: %s", listener.stderr()).isZero();

                List<String> sent = sender.stdoutLines();
                List<String> sentFrames = sent.stream().filter(l -> l.startsWith("frame ")).toList();
                assertThat(sentFrames).containsExactly(
                        "frame type=0x00000001 length=5 sha256=" + sha256("hello".getBytes(StandardCharsets.US_ASCII)),
                        "frame type=0x00000002 length=3 sha256=" + sha256(new byte[] {1, 2, 3}),
                        "frame type=0x00000003 length=1000 sha256=" + sha256(filler(1000)),
                        "frame type=0x0fffffff length=0 sha256=" + sha256(new byte[0]));
                // the listener's answering RST is read by the sender's reader, or drained (8 bytes)
                assertThat(sent.getLast()).matches("shutdown: clean, drained (0|8) bytes in .*");

                List<String> heard = listener.stdoutLines();
                assertThat(heard.get(1)).startsWith("conn 1 accepted from 127.0.0.1:");
                assertThat(heard.stream().filter(l -> l.startsWith("conn 1 frame ")).toList())
                        .containsExactlyElementsOf(sentFrames.stream().map(l -> "conn 1 " + l).toList());
                assertThat(heard).contains(
                        "conn 1 end: peer_shutdown (frameconn: shutting down: the peer sent RST (no reason given))");
                assertThat(heard.getLast()).startsWith("conn 1 shutdown: clean");
            }
        }
    }

    @Test
    void jsonLinesParseAndCarryThePayloadHashes() throws Exception {
        byte[] file = "file content\n".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("f.txt"), file);
        try (CliProcess listener = CliProcess.start(dir,
                "frames", "listen", "127.0.0.1:0", "--connections", "1", "--json")) {
            Map<String, Object> listening = MiniJson.parseObject(listener.nextLine());
            assertThat(listening).containsEntry("event", "listening");
            try (CliProcess sender = CliProcess.start(dir,
                    "frames", "send", (String) listening.get("address"), "--json")) {
                sender.input("7 hex:" + HELLO_HEX + "\n0x10 @f.txt\n0 70000\n");
                assertThat(sender.awaitExit()).as("stderr: %s", sender.stderr()).isZero();
                assertThat(listener.awaitExit()).as("stderr: %s", listener.stderr()).isZero();
            }
            List<Map<String, Object>> events = listener.stdoutLines().stream().map(MiniJson::parseObject).toList();
            List<Map<String, Object>> frames = events.stream().filter(e -> "frame".equals(e.get("event"))).toList();
            assertThat(frames).containsExactly(
                    Map.of("event", "frame", "connection", 1L, "type", 7L, "length", 5L,
                            "sha256", sha256("hello".getBytes(StandardCharsets.US_ASCII))),
                    Map.of("event", "frame", "connection", 1L, "type", 16L, "length", (long) file.length,
                            "sha256", sha256(file)),
                    Map.of("event", "frame", "connection", 1L, "type", 0L, "length", 70000L,
                            "sha256", sha256(filler(70000))));
            Map<String, Object> end = events.getLast();
            assertThat(end).containsEntry("event", "end").containsEntry("connection", 1L)
                    .containsEntry("reason", "peer_shutdown").containsEntry("clean", true)
                    .containsKeys("message", "drained_bytes", "shutdown_seconds")
                    .doesNotContainKey("peer_reason"); // the sender's RST was empty, as zrepl's are
        }
    }

    @Test
    void badLineStopsTheSenderButNotTheListener() throws Exception {
        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "127.0.0.1:0", "--connections", "2")) {
            String address = listener.nextLine().replace("listening on ", "");
            try (CliProcess bad = CliProcess.start(dir, "frames", "send", address)) {
                bad.input("1 5\n0x10000000 0\n2 5\n");
                assertThat(bad.awaitExit()).isEqualTo(ExitCode.BAD_INPUT);
                assertThat(bad.stderr().strip()).isEqualTo("frameconn frames send: standard input line 2: "
                        + "type=0x10000000 is reserved: bits 28..31 belong to the framing layer (RST=0x10000000); "
                        + "application types are 0x00000000..0x0fffffff");
                List<String> out = bad.stdoutLines();
                assertThat(out).hasSize(2);
                assertThat(out.get(0)).startsWith("frame type=0x00000001 length=5 ");
                assertThat(out.get(1)).startsWith("shutdown: clean");
            }
            assertThat(listener.awaitLineContaining("conn 1 end:")).startsWith("conn 1 end: peer_shutdown "
                    + "(frameconn: shutting down: the peer sent RST (APPLICATION_ERROR: frameconn frames send: "
                    + "bad standard input line 2: type=0x10000000 is reserved");
            try (CliProcess good = CliProcess.start(dir, "frames", "send", address)) {
                good.input("4 3\n");
                assertThat(good.awaitExit()).as("stderr: %s", good.stderr()).isZero();
            }
            assertThat(listener.awaitExit()).as("stderr: %s", listener.stderr()).isZero();
            List<String> heard = listener.stdoutLines();
            assertThat(heard.stream().filter(l -> l.contains(" frame ")).toList()).hasSize(2)
                    .anySatisfy(l -> assertThat(l).startsWith("conn 1 frame type=0x00000001 length=5"))
                    .anySatisfy(l -> assertThat(l).startsWith("conn 2 frame type=0x00000004 length=3"));
            assertThat(heard).anySatisfy(l -> assertThat(l).startsWith("conn 2 shutdown: clean"));
        }
    }

    @Test
    void senderStopsWhenThePeerEndsTheConnectionFirst() throws Exception {
        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "127.0.0.1:0",
                "--connections", "1", "--max-payload-length", "1KiB")) {
            String address = listener.nextLine().replace("listening on ", "");
            try (CliProcess sender = CliProcess.start(dir, "frames", "send", address)) {
                sender.write("1 5\n2 4KiB\n");
                assertThat(listener.awaitLineContaining("conn 1 end:")).startsWith("conn 1 end: frame_too_large");
                assertThat(sender.awaitLineContaining("end:")).startsWith("end: peer_shutdown (frameconn: shutting "
                        + "down: the peer sent RST (FRAME_TOO_LARGE: frameconn: frame too large: type=0x00000002");
                sender.input("3 5\n");
                assertThat(sender.awaitExit()).isEqualTo(ExitCode.FAILED);
                assertThat(sender.stderr().strip()).isEqualTo("frameconn frames send: the peer ended the "
                        + "connection (peer_shutdown) before standard input line 3 was sent");
                // the listener closes abortively after an oversized frame: our handshake may fail
                assertThat(sender.stdoutLines().getLast()).startsWith("shutdown: ");
            }
            assertThat(listener.awaitExit()).isEqualTo(ExitCode.FAILED);
        }
    }

    @Test
    void sigtermShutsOpenConnectionsDownWithTheHandshake() throws Exception {
        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "127.0.0.1:0", "--json");
                Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress("127.0.0.1", listeningPort(listener)), 10_000);
            raw.setSoTimeout((int) CliProcess.TIMEOUT.toMillis());
            raw.getOutputStream().write(Arrays.copyOf(header(5, 1), 9));
            listener.awaitLineContaining("\"event\":\"frame\"");
            listener.terminate();
            byte[] rst = readUntilEnd(raw.getInputStream());
            assertThat(rstReason(rst)).as("RST, then end of stream").isEqualTo("4:frameconn frames listen is stopping");
            raw.shutdownOutput(); // our answer: end of stream, so the listener's drain ends cleanly
            Map<String, Object> end = MiniJson.parseObject(listener.awaitLineContaining("\"event\":\"end\""));
            assertThat(end).containsEntry("reason", "local_shutdown").containsEntry("clean", true);
            assertThat(listener.awaitExit()).as("killed by SIGTERM").isEqualTo(128 + 15);
        }
    }

    @Test
    void refusedConnectionIsOneClearMessage() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort(); // free now, and nobody will listen there once closed
        }
        try (CliProcess sender = CliProcess.start(dir, "frames", "send", "127.0.0.1:" + port)) {
            sender.input("1 1\n");
            assertThat(sender.awaitExit()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(sender.stderr().strip())
                    .isEqualTo("frameconn frames send: cannot connect to 127.0.0.1:" + port + ": Connection refused");
            assertThat(sender.stdoutLines()).isEmpty();
        }
    }

    @Test
    void badAddressIsAUsageError() throws Exception {
        try (CliProcess sender = CliProcess.start(dir, "frames", "send", "localhost");
                CliProcess listener = CliProcess.start(dir, "frames", "listen", "[::1:7000")) {
            assertThat(sender.awaitExit()).isEqualTo(ExitCode.USAGE);
            assertThat(sender.stderr()).isEqualTo("frameconn frames send: Invalid value for positional parameter "
                    + "at index 0 (ADDRESS): bad address 'localhost': missing ':PORT'; "
                    + "expected HOST:PORT, [IPv6]:PORT or unix:/PATH\n"
                    + "Try 'frameconn frames send --help' for more information.\n");
            assertThat(listener.awaitExit()).isEqualTo(ExitCode.USAGE);
            assertThat(listener.stderr()).contains("bad address '[::1:7000': missing ']'").doesNotContain("\tat ");
        }
    }

    @Test
    void listenerNamesHowMisbehavingPeersEnded() throws Exception {
        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "127.0.0.1:0",
                "--connections", "4", "--json", "--idle-timeout", "1s")) {
            int port = listeningPort(listener);

            // 1: a header announcing 100 bytes, 10 of them, then end of stream
            byte[] truncated = Arrays.copyOf(header(1, 100), 18);
            assertThat(rawExchange(port, truncated)).as("the listener shuts down in turn, no reason").isEqualTo(RST);
            assertEnd(listener, 1, "truncated", "truncated frame: end of stream after 10 of 100 payload bytes");

            // 2: a length far above the 16 MiB maximum; nothing is allocated for it
            assertThat(rstReason(rawExchange(port, header(1, 0x7fff_ffff))))
                    .startsWith("2:frameconn: frame too large: type=0x00000001 length=2147483647");
            assertEnd(listener, 2, "frame_too_large", "length=2147483647 exceeds maxPayloadLength=16777216");

            // 3: a reserved type that is not RST
            assertThat(rstReason(rawExchange(port, header(0x2000_0000, 0))))
                    .startsWith("1:frameconn: protocol error: received type=0x20000000");
            assertEnd(listener, 3, "protocol_error", "type=0x20000000");

            // 4: connects and says nothing: the idle timeout ends it
            try (Socket silent = new Socket("127.0.0.1", port)) {
                assertEnd(listener, 4, "timeout", "read timed out");
            }
            assertThat(listener.awaitExit()).as("no clean handshake: status 1").isEqualTo(ExitCode.FAILED);
        }
    }

    @Test
    void drainLimitBoundsWhatAPeerThatKeepsSendingCosts() throws Exception {
        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "127.0.0.1:0",
                "--connections", "1", "--json", "--drain-limit", "1MiB")) {
            int port = listeningPort(listener);
            try (Socket flood = new Socket("127.0.0.1", port)) {
                OutputStream out = flood.getOutputStream();
                out.write(header(0x1000_0000, 0)); // RST: the listener shuts down in turn and drains
                byte[] junk = new byte[64 << 10];
                try {
                    for (int i = 0; i < 4096; i++) { // 256 MiB at most, far past the limit
                        out.write(junk);
                    }
                } catch (IOException reset) {
                    // the listener gave up at the limit and closed abortively
                }
            }
            Map<String, Object> end = MiniJson.parseObject(listener.awaitLineContaining("\"event\":\"end\""));
            assertThat(end).containsEntry("reason", "peer_shutdown").containsEntry("clean", false);
            assertThat((Long) end.get("drained_bytes")).isGreaterThan(1L << 20).isLessThan(64L << 20);
            assertThat(listener.awaitExit()).isEqualTo(ExitCode.FAILED);
        }
    }

    @Test
    void unixSocketListenerReplacesAStaleSocketAndRemovesItsOwn() throws Exception {
        Path socket = dir.resolve("l.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(socket)); // left behind, like a crashed listener's
        }
        try (CliProcess listener = CliProcess.start(dir, "frames", "listen", "unix:" + socket, "--connections", "1")) {
            assertThat(listener.nextLine()).isEqualTo("listening on unix:" + socket);
            try (CliProcess sender = CliProcess.start(dir, "frames", "send", "unix:" + socket)) {
                sender.input("9 hex:00ff\n");
                assertThat(sender.awaitExit()).as("stderr: %s", sender.stderr()).isZero();
            }
            assertThat(listener.awaitExit()).as("stderr: %s", listener.stderr()).isZero();
            assertThat(listener.stdoutLines()).anySatisfy(l -> assertThat(l).isEqualTo(
                    "conn 1 frame type=0x00000009 length=2 sha256=" + sha256(new byte[] {0, (byte) 0xff})));
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void demoVerifiesASmallStream() throws Exception {
        try (CliProcess demo = CliProcess.start(dir, "demo", "--bytes", "8MiB", "--frame-size", "64KiB", "--json")) {
            assertThat(demo.awaitExit()).as("output %s; stderr: %s", demo.stdoutLines(), demo.stderr()).isZero();
            Map<String, Object> report = MiniJson.parseObject(demo.stdoutLines().getFirst());
            assertThat(report).containsEntry("ok", true).containsEntry("bytes", 8L << 20)
                    .containsEntry("received_bytes", 8L << 20).containsEntry("buffers_outstanding", 0L)
                    .containsEntry("failures", "");
            assertThat(report.get("sha256_client")).isEqualTo(report.get("sha256_server"));
            assertThat(report.get("server_end")).isEqualTo(Map.of("reason", "peer_shutdown",
                    "message", "frameconn: shutting down: the peer sent RST (no reason given)"));
            @SuppressWarnings("unchecked")
            Map<String, Object> client = (Map<String, Object>) report.get("client_shutdown");
            assertThat(client).containsEntry("clean", true);
        }
    }

    /** The port from a {@code --json} listener's first line, its {@code listening} event. */
    private static int listeningPort(CliProcess listener) throws InterruptedException {
        String address = (String) MiniJson.parseObject(listener.nextLine()).get("address");
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** Connects, writes {@code bytes}, half-closes, and returns all the listener sent until it closed. */
    private static byte[] rawExchange(int port, byte[] bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout((int) CliProcess.TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            socket.shutdownOutput();
            return readUntilEnd(socket.getInputStream());
        }
    }

    /**
     * Everything until end of stream or a reset. After a protocol violation the
     * listener closes abortively, and Linux still hands out the bytes that
     * arrived before the TCP reset: keep them.
     */
    private static byte[] readUntilEnd(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                received.write(chunk, 0, n);
            }
        } catch (SocketException reset) {
            // the abortive close: what came before it is the answer
        }
        return received.toByteArray();
    }

    /**
     * Decodes an RST frame with a reason, written out independently of the
     * core: header (type 0x10000000, length), then a uint32 code and UTF-8.
     * Returns "CODE:MESSAGE"; fails if the bytes are not exactly one RST.
     */
    private static String rstReason(byte[] bytes) {
        assertThat(bytes.length).as("an RST header at least").isGreaterThanOrEqualTo(8);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertThat(b.getInt(0)).as("type").isEqualTo(0x1000_0000);
        int length = b.getInt(4);
        assertThat(bytes.length).as("nothing after the RST").isEqualTo(8 + length);
        if (length == 0) {
            return "";
        }
        return b.getInt(8) + ":" + new String(bytes, 12, length - 4, StandardCharsets.UTF_8);
    }

    private static void assertEnd(CliProcess listener, int conn, String reason, String messagePart)
            throws InterruptedException {
        Map<String, Object> end = MiniJson.parseObject(listener.awaitLineContaining("\"event\":\"end\""));
        assertThat(end).containsEntry("connection", (long) conn).containsEntry("reason", reason);
        assertThat((String) end.get("message")).contains(messagePart);
    }

    private static byte[] header(int type, int length) {
        return new byte[] {(byte) (type >>> 24), (byte) (type >>> 16), (byte) (type >>> 8), (byte) type,
            (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    /** The documented filler, written independently of the code under test. */
    private static byte[] filler(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i & 0xff);
        }
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
