package dev.frameconn.cli;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.ShutdownReason;
import dev.frameconn.ShutdownResult;
import dev.frameconn.cli.FrameLineParser.BadLineException;
import dev.frameconn.cli.FrameLineParser.OutgoingFrame;
import dev.frameconn.tls.TlsConfig;
import dev.frameconn.tls.TlsHandshakeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code frameconn frames send ADDRESS}: connects, sends the frames described
 * on standard input (one per line, see {@link FrameLineParser}), printing a
 * line per frame sent, and at the end of input shuts down with the RST
 * handshake.
 *
 * <p>A reader thread runs alongside: it prints the frames the peer sends, and
 * notices when the peer ends the connection first (its RST, end of stream, an
 * error), which stops the input. Exit status 0 means every line was sent, the
 * peer did not end the connection before our shutdown and the handshake was
 * clean. It cannot mean the peer accepted the frames: a peer that rejects the
 * last frame at the moment we shut down sends an RST indistinguishable from
 * its answer to ours. The peer's own output is the verdict on the frames.
 */
@Command(
        name = "send",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
            "Send frames described on standard input, one per line.",
            "",
            "Lines:%n"
                    + "  TYPE LENGTH   LENGTH bytes of filler, byte i = i mod 256 (LENGTH: 5, 64KiB)%n"
                    + "  TYPE hex:HEX  the payload in hex; spaces, '_' ignored; 'hex:' is empty%n"
                    + "  TYPE @FILE    the payload is FILE's content%n"
                    + "TYPE is decimal or 0x hex in 0..0x0fffffff: bits 28..31 belong to the "
                    + "framing layer. Blank lines and lines starting with '#' are skipped.",
            "",
            "Prints one line per frame sent (type, length, SHA-256 of the payload) and one "
                    + "'received' line per frame the peer sends. At the end of input, shuts down with "
                    + "the RST handshake and prints how it went. A bad line stops the input with a "
                    + "message naming the line (the RST then tells the peer so: APPLICATION_ERROR), "
                    + "and so does the peer ending the connection first; the connection is shut down "
                    + "all the same.",
            "",
            "Status 0 does not mean the peer accepted the frames: a peer that rejects the last "
                    + "frames just as we shut down sends an RST that looks like its answer to ours. "
                    + "The peer's own output is the verdict on the frames.",
            ""
        },
        exitCodeListHeading = ExitCode.HEADING,
        exitCodeList = {
            "0:every line sent, and the connection ended with a clean shutdown handshake",
            "1:the peer ended the connection first, a write failed, or the handshake was not clean",
            ExitCode.USAGE_LINE,
            ExitCode.BAD_INPUT_LINE,
            ExitCode.UNAVAILABLE_LINE,
            ExitCode.INTERNAL_LINE
        })
final class FramesSendCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ADDRESS", converter = Addresses.Converter.class,
            description = "HOST:PORT, [IPv6]:PORT or unix:/PATH to connect to.")
    private SocketAddress address;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "60s",
            description = "A write that makes no progress, or a peer silent while we wait for input, "
                    + "for this long ends the connection with 'timeout'; 0 switches it off "
                    + "(default: ${DEFAULT-VALUE}).")
    private Duration idleTimeout;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "10s",
            description = "Bound on the shutdown handshake (default: ${DEFAULT-VALUE}).")
    private Duration shutdownTimeout;

    @Option(names = "--json", description = "Print one JSON object per line instead of text.")
    private boolean json;

    @ArgGroup(exclusive = false, heading = TlsOptions.HEADING)
    private TlsOptions tlsOptions = new TlsOptions();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        FrameConnConfig config = FrameConnConfig.defaults()
                .withIdleTimeout(idleTimeout)
                .withShutdownTimeout(shutdownTimeout);
        TlsConfig tls = tlsOptions.loadFor(spec, address);
        FrameConn conn;
        try {
            conn = Connector.connect(address, config, tls);
        } catch (TlsHandshakeException e) {
            err.println(name + ": cannot connect to " + Addresses.format(address) + ": TLS handshake failed: "
                    + e.reason().name().toLowerCase(java.util.Locale.ROOT) + " (" + EndReason.messageOf(e) + ")");
            return ExitCode.UNAVAILABLE;
        } catch (UnknownHostException e) {
            err.println(name + ": cannot connect to " + Addresses.format(address) + ": unknown host ("
                    + EndReason.messageOf(e) + ")");
            return ExitCode.UNAVAILABLE;
        } catch (IOException e) {
            err.println(name + ": cannot connect to " + Addresses.format(address) + ": " + EndReason.messageOf(e));
            return ExitCode.UNAVAILABLE;
        }
        try {
            EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), json);
            return send(conn, printer, err, name);
        } finally {
            conn.close(); // after shutdown a no-op; on a bug, no descriptor left behind
        }
    }

    /** Reads what the peer sends until the connection ends; remembers an end the peer caused. */
    private static final class Receiver implements Runnable {
        private final FrameConn conn;
        private final EventPrinter printer;
        private final AtomicBoolean endReported;
        private volatile EndReason peerEnd;
        private volatile String peerEndMessage;

        Receiver(FrameConn conn, EventPrinter printer, AtomicBoolean endReported) {
            this.conn = conn;
            this.printer = printer;
            this.endReported = endReported;
        }

        @Override
        public void run() {
            while (true) {
                try (Frame frame = conn.readFrame()) {
                    printer.received(frame.type(), frame.length(), Sha256.hex(frame.payload()));
                } catch (IOException e) {
                    EndReason reason = EndReason.of(e);
                    if (reason != EndReason.LOCAL_SHUTDOWN) {
                        // the peer's RST, end of stream, an error: anything but our own shutdown.
                        // EOF while we shut down counts too: the peer closed without answering RST.
                        peerEndMessage = EndReason.messageOf(e);
                        peerEnd = reason;
                        if (endReported.compareAndSet(false, true)) {
                            printer.endedEarly(reason, peerEndMessage, EndReason.peerReasonOf(e).orElse(null));
                        }
                    }
                    return;
                }
            }
        }

        /** How the peer ended the connection, or null while it has not. */
        EndReason peerEnd() {
            return peerEnd;
        }
    }

    private int send(FrameConn conn, EventPrinter printer, PrintWriter err, String name) {
        AtomicBoolean endReported = new AtomicBoolean();
        Receiver receiver = new Receiver(conn, printer, endReported);
        Thread reader = Thread.ofVirtual().name("frameconn-send-reader").start(receiver);
        FrameLineParser parser = new FrameLineParser(Path.of("").toAbsolutePath());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
        int status = ExitCode.OK;
        ShutdownReason ourReason = null; // an empty RST, as zrepl sends, unless we give up
        boolean writeFailed = false;
        int lineNumber = 0;
        try {
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (receiver.peerEnd() != null) {
                    err.println(name + ": the peer ended the connection (" + receiver.peerEnd().label()
                            + ") before standard input line " + lineNumber + " was sent");
                    break;
                }
                OutgoingFrame frame;
                try {
                    frame = parser.parse(line);
                } catch (BadLineException e) {
                    err.println(name + ": standard input line " + lineNumber + ": " + e.getMessage());
                    status = ExitCode.BAD_INPUT;
                    // tell the peer why the frames stop here, rather than look like a normal end
                    ourReason = ShutdownReason.of(ShutdownReason.APPLICATION_ERROR,
                            "frameconn frames send: bad standard input line " + lineNumber + ": " + e.getMessage());
                    break;
                }
                if (frame == null) {
                    continue;
                }
                try {
                    conn.writeFrame(frame.type(), frame.payload());
                } catch (IOException e) {
                    writeFailed = true;
                    if (endReported.compareAndSet(false, true)) {
                        printer.endedEarly(EndReason.of(e), EndReason.messageOf(e), null);
                    }
                    err.println(name + ": standard input line " + lineNumber + ": write failed: "
                            + EndReason.messageOf(e));
                    break;
                }
                printer.frame(0, frame.type(), frame.payload().length, Sha256.hex(frame.payload()));
            }
        } catch (IOException e) {
            err.println(name + ": cannot read standard input: " + EndReason.messageOf(e));
            status = ExitCode.BAD_INPUT;
            ourReason = ShutdownReason.of(ShutdownReason.APPLICATION_ERROR,
                    "frameconn frames send: cannot read standard input: " + EndReason.messageOf(e));
        }
        err.flush();
        ShutdownResult result = conn.shutdown(shutdownTimeout, ourReason);
        // the shutdown's drain needed the read lock, so the reader is out of its read by now
        joinReader(reader);
        printer.shutdown(result);
        if (status != ExitCode.OK) {
            return status;
        }
        boolean clean = result.clean() && !writeFailed && receiver.peerEnd() == null;
        return clean ? ExitCode.OK : ExitCode.FAILED;
    }

    private void joinReader(Thread reader) {
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
