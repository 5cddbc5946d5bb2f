package dev.frameconn.cli;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.heartbeat.PeerTimeoutException;
import dev.frameconn.heartbeat.StreamStalledException;
import dev.frameconn.micrometer.MicrometerMetrics;
import dev.frameconn.micrometer.PrometheusHttpServer;
import dev.frameconn.stream.StreamBrokenException;
import dev.frameconn.stream.StreamConn;
import dev.frameconn.stream.StreamProtocolException;
import dev.frameconn.stream.StreamSourceException;
import dev.frameconn.tls.TlsConfig;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code frameconn send ADDRESS [--input FILE]}: connects to a
 * {@code frameconn recv}, sends FILE or standard input as one stream (SPEC §8,
 * over heartbeats), waits for the receiver's confirmation and checks its byte
 * count and SHA-256 against its own. A failing input is reported to the
 * receiver with its message.
 *
 * <p>With the TLS options the connection is TLS 1.3 with mutual
 * authentication. The receiver checks our certificate only after our side of
 * the handshake finished, so its refusal can surface on any later read or
 * write; wherever it does, it is reported as a failed handshake (status 4),
 * not as a broken transfer.
 */
@Command(
        name = "send",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
            "Send a file or standard input as one data stream to 'frameconn recv'.",
            "",
            "Like netcat, but framed, heartbeated and verified: after the stream the receiver confirms "
                    + "byte count and SHA-256, and only a matching confirmation counts as success. Prints "
                    + "'sent BYTES bytes, sha256 HEX, verified by the receiver' to standard error.",
            "",
            "With --tls-cert, --tls-key and --tls-ca the connection is TLS 1.3 with mutual "
                    + "authentication: the receiver's certificate must lead to that CA and name the host "
                    + "connected to (or --tls-server-name), and ours must satisfy the receiver. A failed "
                    + "handshake, on either side, is one line 'TLS handshake with the receiver ADDRESS "
                    + "failed: REASON (details)' and status 4. TLS files that cannot be read are a usage "
                    + "error (status 2).",
            ""
        },
        exitCodeListHeading = ExitCode.HEADING,
        exitCodeList = {
            TransferExit.OK_LINE,
            TransferExit.FAILED_LINE,
            ExitCode.USAGE_LINE,
            TransferExit.SEND_UNAVAILABLE_LINE,
            TransferExit.SOURCE_LINE,
            TransferExit.LOCAL_IO_LINE,
            ExitCode.INTERNAL_LINE
        })
final class SendCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ADDRESS", converter = Addresses.Converter.class,
            description = "The receiver: HOST:PORT, [IPv6]:PORT or unix:/PATH.")
    private SocketAddress address;

    @Option(names = "--input", paramLabel = "FILE", description = "Send FILE; default: standard input.")
    private Path input;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "10s", description = "How long to wait for TCP's handshake (default: ${DEFAULT-VALUE}).")
    private java.time.Duration connectTimeout;

    @Mixin
    private TransferOptions options;

    @ArgGroup(exclusive = false, heading = TlsOptions.HEADING)
    private TlsOptions tlsOptions = new TlsOptions();

    @Override
    public Integer call() {
        options.validate(spec);
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        TlsConfig tls = tlsOptions.loadFor(spec, address);
        // a channel, so that reads land in the stream layer's direct buffers: no copy on the way to the socket
        FileChannel source;
        long size = -1;
        try {
            if (input == null) {
                source = new FileInputStream(FileDescriptor.in).getChannel(); // a pipe or a terminal too
            } else {
                source = FileChannel.open(input, StandardOpenOption.READ);
                if (Files.isRegularFile(input)) {
                    size = Files.size(input);
                }
            }
        } catch (IOException e) {
            err.println(name + ": cannot open --input " + input + ": " + EndReason.messageOf(e));
            err.flush();
            return TransferExit.LOCAL_IO;
        }
        try (PrometheusHttpServer http = options.startMetrics(err, name)) {
            MicrometerMetrics metrics = http == null ? null : new MicrometerMetrics(http.registry());
            return connectAndSend(source, size, tls, metrics, err, name);
        } finally {
            closeQuietly(source);
            err.flush();
        }
    }

    /** Closing the input after the transfer: a failure loses nothing and must not change the status. */
    private static void closeQuietly(FileChannel source) {
        try {
            source.close();
        } catch (IOException ignored) {
            // everything that was read has been sent and verified, or the transfer failed already
        }
    }


    private int connectAndSend(FileChannel source, long size, TlsConfig tls, MicrometerMetrics metrics,
            PrintWriter err, String name) {
        FrameConn raw;
        String peer = "the receiver " + Addresses.format(address);
        try {
            var config = options.frameConfig(metrics).withConnectTimeout(connectTimeout);
            // the heartbeat and stream layers wrap a FrameConn: over TLS, the one inside the TLS connection
            raw = Connector.connect(address, config, tls);
        } catch (UnknownHostException e) {
            err.println(name + ": cannot connect to " + Addresses.format(address) + ": unknown host");
            return TransferExit.UNAVAILABLE;
        } catch (IOException e) {
            TransferFailure tlsFailure = TransferFailure.tlsHandshakeFailure(e) != null
                    ? TransferFailure.of(e, peer) : null;
            err.println(name + ": " + (tlsFailure != null ? tlsFailure.message()
                    : "cannot connect to " + Addresses.format(address) + ": " + EndReason.messageOf(e)));
            return TransferExit.UNAVAILABLE;
        }
        // platform threads: see DataThreads
        StreamConn conn = StreamConn.over(HeartbeatConn.wrap(raw, DataThreads.on(options.heartbeatConfig(metrics))));
        try {
            return send(conn, source, size, tls != null, err, name, peer);
        } finally {
            conn.shutdown();
        }
    }

    private int send(StreamConn conn, FileChannel source, long size, boolean tls, PrintWriter err, String name,
            String peer) {
        MessageDigest digest = Sha256.newDigest();
        long sent;
        double seconds;
        try (Progress progress = new Progress("sent", size, err, options.showProgress())) {
            try {
                // digest and count on the stream layer's reading thread, beside the socket writes
                sent = conn.send(TransferOptions.DATA_TYPE, source, chunk -> {
                    progress.add(chunk.remaining());
                    digest.update(chunk);
                });
            } catch (IOException e) {
                progress.finish();
                TransferFailure f = TransferFailure.of(tls ? tlsRejectionOr(conn, e) : e, peer);
                String receiverSaid = e instanceof StreamBrokenException b
                        && b.getCause() instanceof ConnectionShutdownException s && s.byPeer()
                        ? receiverError(conn) : null;
                err.println(name + ": " + (receiverSaid != null ? "the receiver failed: " + receiverSaid
                        : f.message()));
                return receiverSaid != null ? TransferExit.FAILED : f.exit();
            }
            progress.finish();
            seconds = progress.seconds();
        }
        String sha = Sha256.hex(digest);
        Receipt receipt;
        try (Frame frame = conn.heartbeatConn().readFrame()) {
            if (frame.type() != TransferOptions.RECEIPT_TYPE) {
                err.println(name + ": protocol error: expected the receiver's confirmation, got type="
                        + dev.frameconn.wire.FrameHeader.typeToString(frame.type()));
                return TransferExit.FAILED;
            }
            receipt = Receipt.decode(frame.toByteArray());
        } catch (IOException e) {
            TransferFailure f = TransferFailure.of(e, peer); // the reader's own failure: a refusal shows
            if (f.exit() == TransferExit.UNAVAILABLE) {
                err.println(name + ": " + f.message()); // refused: nothing was received, whatever we wrote
                return f.exit();
            }
            err.println(name + ": sent " + sent + " bytes, but got no confirmation: " + f.message());
            return TransferExit.FAILED;
        }
        if (!receipt.ok()) {
            err.println(name + ": the receiver failed: " + receipt.error());
            return TransferExit.FAILED;
        }
        if (receipt.bytes() != sent || !receipt.sha256().equals(sha)) {
            err.println(name + ": verification failed: sent " + sent + " bytes, sha256 " + sha
                    + "; the receiver stored " + receipt.bytes() + " bytes, sha256 " + receipt.sha256());
            return TransferExit.FAILED;
        }
        err.printf(Locale.ROOT, "%s: sent %d bytes, sha256 %s, in %.3f s, verified by the receiver%n", name,
                sent, sha, seconds);
        return TransferExit.OK;
    }

    /**
     * Over TLS 1.3, the receiver's refusal of our certificate arrives as an alert
     * that only a read sees; a write after it fails with a plain reset or broken
     * pipe. So when a failure does not already say so, shut down (which ends the
     * background reader, bounded by the peer timeout) and look at how the reader
     * ended: a handshake failure there is the real cause.
     */
    private static IOException tlsRejectionOr(StreamConn conn, IOException failure) {
        Throwable cause = failure instanceof StreamBrokenException b ? b.getCause() : failure;
        if (TransferFailure.tlsHandshakeFailure(failure) != null
                || failure instanceof StreamSourceException || failure instanceof StreamProtocolException
                || cause instanceof ConnectionShutdownException || cause instanceof PeerTimeoutException
                || cause instanceof StreamStalledException) {
            // says it all already, or could not follow a refusal: an RST frame or heartbeats came through TLS
            return failure;
        }
        conn.shutdown(); // also releases queued frames: none can matter after a reset
        try (Frame ignored = conn.heartbeatConn().readFrame()) {
            return failure; // unreachable in practice: shutdown releases the queue
        } catch (IOException e) {
            return TransferFailure.tlsHandshakeFailure(e) != null ? e : failure;
        }
    }

    /** After the receiver shut down mid-stream: the error confirmation it sent first, if any. */
    private static String receiverError(StreamConn conn) {
        while (true) {
            // the reader has ended (the peer's RST): queued frames come out, then the failure
            try (Frame frame = conn.heartbeatConn().readFrame()) {
                if (frame.type() == TransferOptions.RECEIPT_TYPE) {
                    Receipt r = Receipt.decode(frame.toByteArray());
                    return r.ok() ? null : r.error();
                }
            } catch (IOException e) {
                return null;
            }
        }
    }
}
