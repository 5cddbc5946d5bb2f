package dev.frameconn.testing;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.ShutdownResult;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The program a {@link PeerProcess} runs: one misbehaving or well-behaved peer
 * per JVM, so that a test can kill it, starve it or move it into another
 * network namespace.
 *
 * <p>Usage: {@code PeerMain MODE key=value...}. Every mode takes either
 * {@code connect=HOST:PORT} or {@code listen=HOST:PORT} (port 0: any; the
 * peer then prints {@code LISTENING HOST:PORT} and accepts one connection).
 * Progress is reported on standard output, one line per event, so the test can
 * wait for a state instead of guessing a delay. Exit status: 0 when the mode
 * finished as planned, 1 on an unexpected failure (printed as
 * {@code FAILED …}), 2 on bad usage.
 *
 * <table>
 *   <caption>Modes</caption>
 *   <tr><th>mode</th><th>what the peer does</th><th>lines</th></tr>
 *   <tr><td>{@code send}</td><td>writes {@code frames} frames of {@code size}
 *       bytes (type 1, {@link #payload} content), then shuts down</td>
 *       <td>{@code SENT n}, {@code SHUTDOWN clean=…}</td></tr>
 *   <tr><td>{@code partial}</td><td>writes {@code frames} whole frames, then
 *       the header of a {@code size}-byte frame and only {@code partial} bytes
 *       of its payload, raw; then waits to be killed</td>
 *       <td>{@code PARTIAL_SENT}</td></tr>
 *   <tr><td>{@code echo}</td><td>writes every frame back, until the other side
 *       shuts down or ends the stream; then shuts down</td>
 *       <td>{@code ECHOED n}, {@code SHUTDOWN clean=…}</td></tr>
 *   <tr><td>{@code stop-reading}</td><td>connects and never reads (nor
 *       writes); waits to be killed</td><td>{@code CONNECTED}</td></tr>
 *   <tr><td>{@code flood}</td><td>writes {@code size}-byte frames until a
 *       write fails, never reading</td><td>{@code FLOOD_ENDED …}</td></tr>
 *   <tr><td>{@code echo-client}</td><td>writes {@code frames} frames of
 *       {@code size} bytes while reading the echoes, compares SHA-256 of both,
 *       then shuts down</td><td>{@code FIRST_ECHO}, {@code VERIFIED frames=… sha256=…},
 *       {@code SHUTDOWN clean=…}</td></tr>
 * </table>
 * Options: {@code frames} (default 10), {@code size} (default 1024),
 * {@code partial} (default size/2), {@code idle} (idle timeout, ISO-8601,
 * default PT30S), {@code shutdown} (shutdown timeout, default PT10S).
 */
public final class PeerMain {
    /** Frame type the peer writes. */
    public static final int TYPE = 1;

    private PeerMain() {}

    /**
     * Runs one mode; see the class description.
     *
     * @param args the mode, then {@code key=value} options
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            usage("missing MODE");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                usage("option=" + args[i] + " is not key=value");
            }
            options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try {
            run(args[0], options);
            System.out.flush();
            System.exit(0);
        } catch (Throwable t) {
            say("FAILED " + t);
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void usage(String why) {
        System.err.println("usage: PeerMain send|partial|echo|stop-reading|flood|echo-client "
                + "connect=HOST:PORT|listen=HOST:PORT [frames=N] [size=N] [partial=N] [idle=PT30S]: " + why);
        System.exit(2);
    }

    private static void run(String mode, Map<String, String> options) throws Exception {
        int frames = Integer.parseInt(options.getOrDefault("frames", "10"));
        int size = Integer.parseInt(options.getOrDefault("size", "1024"));
        FrameConnConfig config = FrameConnConfig.defaults()
                .withIdleTimeout(Duration.parse(options.getOrDefault("idle", "PT30S")))
                .withShutdownTimeout(Duration.parse(options.getOrDefault("shutdown", "PT10S")));
        switch (mode) {
            case "partial" -> partial(options, frames, size);
            case "send" -> {
                try (FrameConn conn = open(options, config)) {
                    for (int seq = 0; seq < frames; seq++) {
                        conn.writeFrame(TYPE, payload(seq, size));
                    }
                    say("SENT " + frames);
                    say("SHUTDOWN " + describe(conn.shutdown()));
                }
            }
            case "echo" -> {
                try (FrameConn conn = open(options, config)) {
                    long echoed = 0;
                    while (true) {
                        try (Frame frame = conn.readFrame()) {
                            conn.writeFrame(frame.type(), frame.payload());
                            echoed++;
                        } catch (ConnectionShutdownException | EndOfStreamException end) {
                            break;
                        }
                    }
                    say("ECHOED " + echoed);
                    say("SHUTDOWN " + describe(conn.shutdown()));
                }
            }
            case "stop-reading" -> {
                try (FrameConn conn = open(options, config)) {
                    say("CONNECTED " + conn.localAddress());
                    waitToBeKilled();
                }
            }
            case "flood" -> {
                try (FrameConn conn = open(options, config)) {
                    say("CONNECTED " + conn.localAddress());
                    byte[] payload = payload(0, size);
                    long sent = 0;
                    try {
                        while (true) {
                            conn.writeFrame(TYPE, payload);
                            sent++;
                        }
                    } catch (IOException e) {
                        say("FLOOD_ENDED frames=" + sent + " " + e.getClass().getSimpleName());
                    }
                }
            }
            case "echo-client" -> echoClient(options, config, frames, size);
            default -> usage("mode=" + mode + " is unknown");
        }
    }

    private static FrameConn open(Map<String, String> options, FrameConnConfig config) throws IOException {
        String connect = options.get("connect");
        String listen = options.get("listen");
        if ((connect == null) == (listen == null)) {
            usage("give exactly one of connect= and listen=");
        }
        if (connect != null) {
            FrameConn conn = FrameConn.connect(parse(connect), config);
            say("CONNECTED " + conn.localAddress());
            return conn;
        }
        try (FrameServer server = FrameServer.bind(parse(listen), config)) {
            InetSocketAddress bound = (InetSocketAddress) server.localAddress();
            say("LISTENING " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
            return server.accept();
        }
    }

    /** The raw-socket mode: a FrameConn would never send half a frame. */
    private static void partial(Map<String, String> options, int frames, int size) throws Exception {
        int partial = Integer.parseInt(options.getOrDefault("partial", String.valueOf(size / 2)));
        if (partial < 0 || partial >= size + FrameHeader.LENGTH) {
            usage("partial=" + partial + " must be in 0.." + (size + FrameHeader.LENGTH - 1));
        }
        InetSocketAddress target = parse(options.getOrDefault("connect", ""));
        try (Socket socket = new Socket(target.getAddress(), target.getPort())) {
            socket.setTcpNoDelay(true);
            say("CONNECTED " + socket.getLocalSocketAddress());
            OutputStream out = socket.getOutputStream();
            for (int seq = 0; seq < frames; seq++) {
                out.write(FrameHeader.toBytes(TYPE, size));
                out.write(payload(seq, size));
            }
            out.write(FrameHeader.toBytes(TYPE, size));
            out.write(payload(frames, size), 0, partial);
            out.flush();
            say("PARTIAL_SENT frames=" + frames + " size=" + size + " partial=" + partial);
            waitToBeKilled();
        }
    }

    private static void echoClient(Map<String, String> options, FrameConnConfig config, int frames, int size)
            throws Exception {
        try (FrameConn conn = open(options, config)) {
            MessageDigest received = sha256();
            AtomicReference<Throwable> readFailure = new AtomicReference<>();
            CountDownLatch readAll = new CountDownLatch(1);
            Thread reader = Thread.ofPlatform().name("echo-client-reader").start(() -> {
                try {
                    for (int i = 0; i < frames; i++) {
                        try (Frame frame = conn.readFrame()) {
                            received.update(frame.payload());
                        }
                        if (i == 0) {
                            say("FIRST_ECHO"); // lets a test break the network mid-transfer
                        }
                    }
                } catch (Throwable t) {
                    readFailure.set(t);
                } finally {
                    readAll.countDown();
                }
            });
            MessageDigest sent = sha256();
            for (int seq = 0; seq < frames; seq++) {
                byte[] payload = payload(seq, size);
                sent.update(payload);
                conn.writeFrame(TYPE, payload);
            }
            readAll.await();
            reader.join();
            if (readFailure.get() != null) {
                throw new IOException("echo-client: reading the echoes failed", readFailure.get());
            }
            String s = HexFormat.of().formatHex(sent.digest());
            String r = HexFormat.of().formatHex(received.digest());
            if (!s.equals(r)) {
                throw new IOException("echo-client: sha256 sent=" + s + " received=" + r);
            }
            say("VERIFIED frames=" + frames + " sha256=" + s);
            say("SHUTDOWN " + describe(conn.shutdown()));
        }
    }

    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }

    /**
     * The payload of frame {@code seq}: deterministic, so that the receiving
     * test can check every byte ({@code xorshift} seeded with {@code seq}).
     *
     * @param seq the frame's sequence number
     * @param size the payload length in bytes
     * @return the payload
     */
    public static byte[] payload(int seq, int size) {
        byte[] bytes = new byte[size];
        int x = seq * 0x9E3779B9 + 0x7F4A7C15;
        for (int i = 0; i < size; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            bytes[i] = (byte) x;
        }
        return bytes;
    }

    /** {@code clean=… step=… drained=… peerFirst=…}: one token per field, for tests to match. */
    static String describe(ShutdownResult result) {
        return "clean=" + result.clean()
                + " step=" + (result.failedStep() == null ? "-" : result.failedStep().label())
                + " drained=" + result.drainedBytes()
                + " peerFirst=" + result.peerInitiated();
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            usage("address=" + hostPort + " is not HOST:PORT");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, colon)),
                    Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (IOException | NumberFormatException e) {
            usage("address=" + hostPort + ": " + e);
            throw new AssertionError(e);
        }
    }

    private static void waitToBeKilled() throws InterruptedException {
        // the test ends this process; a forgotten one still ends after a bound
        Thread.sleep(Duration.ofMinutes(5));
        say("NOT_KILLED");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
