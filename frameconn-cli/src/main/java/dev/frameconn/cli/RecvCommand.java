package dev.frameconn.cli;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.micrometer.MicrometerMetrics;
import dev.frameconn.micrometer.PrometheusHttpServer;
import dev.frameconn.stream.StreamConn;
import dev.frameconn.stream.StreamException;
import dev.frameconn.stream.StreamInput;
import dev.frameconn.tls.TlsConfig;
import dev.frameconn.tls.TlsHandshakeException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code frameconn recv --listen ADDRESS [--output FILE]}: accepts one
 * connection, receives one stream (SPEC §8, over heartbeats) and writes it to
 * FILE or standard output. With {@code --output}, the data goes to a temporary
 * file beside FILE that is renamed to FILE only after the stream ended cleanly,
 * so a broken transfer never leaves a file that looks complete. Then it sends
 * the sender a confirmation (byte count and SHA-256) and shuts down.
 *
 * <p>Everything but the data goes to standard error: the address listened on,
 * the result line {@code received N bytes, sha256 HEX}, failures.
 *
 * <p>With the TLS options, senders must speak TLS 1.3 and prove who they are
 * with a certificate from the given CA; the accepted sender's identity goes to
 * standard error. A sender that fails its handshake is not the one connection
 * recv accepts: it gets a line, and recv goes on waiting for a sender that
 * passes, as {@code frames listen} does. That way one stray or misconfigured
 * client cannot end a receiver that a real sender is about to use.
 */
@Command(
        name = "recv",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
            "Receive one data stream from 'frameconn send' and write it to a file or standard output.",
            "",
            "Like netcat, but framed, heartbeated and verified. Listens, accepts one connection, writes "
                    + "the stream, then prints 'received BYTES bytes, sha256 HEX' to standard error and "
                    + "confirms both to the sender. With --output the data is written to a temporary file "
                    + "that becomes FILE only when the stream ended cleanly.",
            "",
            "With --tls-cert, --tls-key and --tls-ca, senders must speak TLS 1.3 and prove who they "
                    + "are with a certificate from that CA. The sender accepted is named on standard error: "
                    + "'accepted from ADDRESS, client CN=NAME DNS=NAMES' (and IP=, URI= when its certificate "
                    + "has them). A sender whose handshake fails (untrusted or expired certificate, no "
                    + "certificate, plain TCP) gets the line 'tls handshake failed from ADDRESS: REASON "
                    + "(details)' and is not the connection: recv keeps waiting for one that passes, so "
                    + "such a failure alone never ends it (stop it with a signal). TLS files that cannot be "
                    + "read are a usage error (status 2).",
            ""
        },
        exitCodeListHeading = ExitCode.HEADING,
        exitCodeList = {
            TransferExit.OK_LINE,
            TransferExit.FAILED_LINE,
            ExitCode.USAGE_LINE,
            TransferExit.UNAVAILABLE_LINE,
            TransferExit.SOURCE_LINE,
            TransferExit.LOCAL_IO_LINE,
            ExitCode.INTERNAL_LINE
        })
final class RecvCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "ADDRESS", converter = Addresses.Converter.class,
            description = "HOST:PORT, [IPv6]:PORT or unix:/PATH to listen on; port 0 picks a free port "
                    + "(the address is printed).")
    private SocketAddress listen;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write the stream to FILE (replaced only when the stream ended cleanly); "
                    + "default: standard output.")
    private Path output;

    @Mixin
    private TransferOptions options;

    @ArgGroup(exclusive = false, heading = TlsOptions.HEADING)
    private TlsOptions tlsOptions = new TlsOptions();

    /** The temporary file in use, for the signal hook to delete. */
    private final AtomicReference<Path> partial = new AtomicReference<>();

    @Override
    public Integer call() {
        options.validate(spec);
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        TlsConfig tls = tlsOptions.loadFor(spec, listen);
        Path target = output == null ? null : output.toAbsolutePath();
        if (target != null && Files.isDirectory(target)) {
            err.println(name + ": --output " + output + " is a directory");
            err.flush();
            return TransferExit.LOCAL_IO;
        }
        Thread cleaner = ShutdownHooks.add("frameconn-recv-cleanup", this::deletePartial);
        try (PrometheusHttpServer http = options.startMetrics(err, name)) {
            MicrometerMetrics metrics = http == null ? null : new MicrometerMetrics(http.registry());
            return serve(target, tls, metrics, err, name);
        } finally {
            deletePartial();
            ShutdownHooks.remove(cleaner);
            err.flush();
        }
    }


    private int serve(Path target, TlsConfig tls, MicrometerMetrics metrics, PrintWriter err, String name) {
        FrameConnConfig config = options.frameConfig(metrics);
        FrameConn accepted;
        try {
            try (Listener server = Listener.bind(listen, config, tls)) {
                err.println(name + ": listening on " + Addresses.format(server.localAddress()));
                err.flush();
                accepted = acceptOne(server, err, name); // one stream, one connection: stop listening at once
            }
        } catch (UnknownHostException e) {
            err.println(name + ": cannot listen on " + Addresses.format(listen) + ": unknown host");
            return TransferExit.UNAVAILABLE;
        } catch (IOException e) {
            err.println(name + ": cannot listen on " + Addresses.format(listen) + ": " + EndReason.messageOf(e));
            return TransferExit.UNAVAILABLE;
        }
        // platform threads: see DataThreads
        StreamConn conn = StreamConn.over(
                HeartbeatConn.wrap(accepted, DataThreads.on(options.heartbeatConfig(metrics))));
        try {
            return receive(conn, target, err, name, Addresses.format(accepted.remoteAddress()));
        } finally {
            conn.shutdown(); // answers the sender's RST, or begins the handshake; closes in every case
        }
    }

    /**
     * The first connection that gets through: over TLS, senders that fail their
     * handshake are reported and skipped; the accepted one is named.
     */
    private static FrameConn acceptOne(Listener server, PrintWriter err, String name) throws IOException {
        while (true) {
            Listener.Accepted next;
            try {
                next = server.accept();
            } catch (TlsHandshakeException e) {
                err.println(name + ": " + EventPrinter.handshakeFailure(e) + "; waiting for another sender");
                err.flush();
                continue;
            }
            if (next.client() != null) {
                SocketAddress remote = next.conn().remoteAddress();
                err.println(name + ": accepted from " + (remote == null ? "unknown" : Addresses.format(remote))
                        + ", client " + EventPrinter.describe(next.client()));
                err.flush();
            }
            return next.conn();
        }
    }

    private int receive(StreamConn conn, Path target, PrintWriter err, String name, String peer) {
        MessageDigest digest = Sha256.newDigest();
        // channels, so that frame payloads go from their pooled buffers to the output without a copy
        FileChannel sink;
        FileChannel file = null;
        try {
            if (target == null) {
                sink = new FileOutputStream(FileDescriptor.out).getChannel(); // a pipe or a terminal too
            } else {
                Path dir = target.getParent();
                // a hidden name beside the target (same file system: the rename is atomic); created
                // with the umask's permissions, as the target itself would be
                Path tmp = dir.resolve("." + target.getFileName() + "."
                        + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16) + ".part");
                Files.createFile(tmp);
                partial.set(tmp);
                file = FileChannel.open(tmp, StandardOpenOption.WRITE);
                sink = file;
            }
        } catch (IOException e) {
            String why = "cannot create a temporary file beside " + target + ": " + EndReason.messageOf(e);
            err.println(name + ": " + why);
            sendReceipt(conn, Receipt.error(why));
            return TransferExit.LOCAL_IO;
        }
        long bytes;
        try (Progress progress = new Progress("received", -1, err, options.showProgress());
                StreamInput in = conn.receive(TransferOptions.DATA_TYPE)) {
            try {
                // the digest sees what was written, after it was written
                bytes = in.transferTo(sink, chunk -> {
                    progress.add(chunk.remaining());
                    digest.update(chunk);
                });
            } catch (StreamException e) {
                progress.finish();
                TransferFailure f = TransferFailure.of(e, "the sender " + peer);
                err.println(name + ": " + f.message());
                return f.exit();
            } catch (IOException e) {
                // transferTo throws only StreamException for the stream: anything else is the output's
                progress.finish();
                String why = "cannot write " + (target == null ? "standard output" : target) + ": "
                        + EndReason.messageOf(e);
                err.println(name + ": " + why);
                sendReceipt(conn, Receipt.error(why));
                return TransferExit.LOCAL_IO;
            }
            progress.finish();
            try {
                if (file != null) {
                    file.force(true); // on disk before the name says "complete"
                    file.close();
                    Files.move(partial.get(), target, StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                    partial.set(null);
                }
            } catch (IOException e) {
                String why = "cannot store " + (target == null ? "standard output" : target) + ": "
                        + EndReason.messageOf(e);
                err.println(name + ": " + why);
                sendReceipt(conn, Receipt.error(why));
                return TransferExit.LOCAL_IO;
            }
            String sha = Sha256.hex(digest);
            err.printf(Locale.ROOT, "%s: received %d bytes, sha256 %s, in %.3f s%n", name, bytes, sha,
                    progress.seconds());
            if (!sendReceipt(conn, Receipt.ok(bytes, sha))) {
                err.println(name + ": stored, but could not confirm to the sender");
                return TransferExit.FAILED;
            }
            return TransferExit.OK;
        } finally {
            closeQuietly(file);
        }
    }

    private static boolean sendReceipt(StreamConn conn, Receipt receipt) {
        try {
            conn.heartbeatConn().writeFrame(TransferOptions.RECEIPT_TYPE, receipt.encode());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void deletePartial() {
        Path tmp = partial.getAndSet(null);
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort; the name starts with a dot and ends in .part
            }
        }
    }

    private static void closeQuietly(FileChannel file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // already failed or closed
            }
        }
    }
}
