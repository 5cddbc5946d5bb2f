package dev.frameconn.cli;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.ShutdownResult;
import dev.frameconn.cli.FrameLineParser.BadLineException;
import dev.frameconn.cli.FrameLineParser.OutgoingFrame;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code frameconn frames send ADDRESS}: connects, sends the frames described
 * on standard input (one per line, see {@link FrameLineParser}), printing a
 * line per frame sent, and at the end of input shuts down with the RST
 * handshake. Exits 0 only if every line was sent and the handshake was clean.
 *
 * <p>It reads nothing while sending: frames the peer sends are discarded by the
 * shutdown drain and show up as drained bytes (the peer's answering RST is 8 of
 * them). Reading concurrently would put the connection's idle timeout on an
 * interactive session waiting for its next input line.
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
            "Prints one line per frame sent (type, length, SHA-256 of the payload). At the end "
                    + "of input, shuts down with the RST handshake and prints how it went. A bad line "
                    + "stops the input with a message naming the line; the connection is shut down "
                    + "all the same. Frames the peer sends are not read: the shutdown drain discards "
                    + "them (the peer's answering RST shows as 8 drained bytes).",
            ""
        },
        exitCodeListHeading = ExitCode.HEADING,
        exitCodeList = {
            "0:every frame sent and the connection ended with a clean shutdown handshake",
            ExitCode.FAILED_LINE,
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
            description = "A write that makes no progress for this long fails with 'timeout'; "
                    + "0 switches it off (default: ${DEFAULT-VALUE}).")
    private Duration idleTimeout;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "10s",
            description = "Bound on the shutdown handshake (default: ${DEFAULT-VALUE}).")
    private Duration shutdownTimeout;

    @Option(names = "--json", description = "Print one JSON object per line instead of text.")
    private boolean json;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        FrameConnConfig config = FrameConnConfig.defaults()
                .withIdleTimeout(idleTimeout)
                .withShutdownTimeout(shutdownTimeout);
        FrameConn conn;
        try {
            conn = FrameConn.connect(Addresses.resolve(address), config);
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

    private int send(FrameConn conn, EventPrinter printer, PrintWriter err, String name) {
        FrameLineParser parser = new FrameLineParser(Path.of("").toAbsolutePath());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
        int status = ExitCode.OK;
        int lineNumber = 0;
        try {
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                OutgoingFrame frame;
                try {
                    frame = parser.parse(line);
                } catch (BadLineException e) {
                    err.println(name + ": standard input line " + lineNumber + ": " + e.getMessage());
                    err.flush();
                    status = ExitCode.BAD_INPUT;
                    break;
                }
                if (frame == null) {
                    continue;
                }
                try {
                    conn.writeFrame(frame.type(), frame.payload());
                } catch (IOException e) {
                    EndReason reason = EndReason.of(e);
                    String message = EndReason.messageOf(e);
                    printer.ended(0, reason, message);
                    printer.closed(0, reason, message, conn.shutdown(shutdownTimeout));
                    return ExitCode.FAILED;
                }
                printer.frame(0, frame.type(), frame.payload().length, Sha256.hex(frame.payload()));
            }
        } catch (IOException e) {
            err.println(name + ": cannot read standard input: " + EndReason.messageOf(e));
            err.flush();
            status = ExitCode.BAD_INPUT;
        }
        ShutdownResult result = conn.shutdown(shutdownTimeout);
        printer.shutdown(result);
        if (status != ExitCode.OK) {
            return status;
        }
        return result.clean() ? ExitCode.OK : ExitCode.FAILED;
    }
}
