package dev.frameconn.cli;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.ShutdownReason;
import dev.frameconn.ShutdownResult;
import dev.frameconn.tls.TlsConfig;
import dev.frameconn.tls.TlsHandshakeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code frameconn frames listen ADDRESS}: accepts connections and, for each,
 * prints every received frame, then how the connection ended, then shuts it
 * down in turn (the RST handshake) and prints how that went.
 *
 * <p>Connections are served concurrently, one virtual thread each, and numbered
 * from 1 in accept order. A connection's failure ends that connection only,
 * never the listener. With {@code --connections N} the listener stops
 * accepting after the N-th connection, waits for all N to end and exits 0 only
 * if every one ended with a clean handshake: the peer sent RST and our own
 * shutdown drained to its end of stream.
 *
 * <p>On SIGINT or SIGTERM the listener stops accepting, shuts the open
 * connections down (they report {@code local_shutdown}) and, for a Unix
 * socket, deletes the socket file.
 */
@Command(
        name = "listen",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
            "Accept frameconn connections and print every frame received.",
            "",
            "For each frame: type (hex), payload length, SHA-256 of the payload. Then how the "
                    + "connection ended (peer_shutdown, eof, truncated, frame_too_large, protocol_error, "
                    + "timeout, reset, io_error), and how the shutdown handshake that follows went. "
                    + "Connections are served concurrently and numbered from 1; one bad connection "
                    + "never ends the listener.",
            "",
            "The first line is 'listening on ADDRESS', with the real port when port 0 was given. "
                    + "With --json, every line is one JSON object: events listening, accepted, frame, "
                    + "end (with reason, message, clean, and peer_reason when the peer's RST gave one).",
            "",
            "With --tls-cert, --tls-key and --tls-ca, clients must speak TLS 1.3 and prove who they are "
                    + "with a certificate from that CA; the accepted line names the client (its common "
                    + "name and subject alternative names). A client that fails its handshake gets a "
                    + "'tls handshake failed' line (JSON event handshake_failed) with the reason, and is "
                    + "not counted as a connection.",
            ""
        },
        exitCodeListHeading = ExitCode.HEADING,
        exitCodeList = {
            "0:all --connections N connections ended with a clean shutdown handshake",
            ExitCode.FAILED_LINE,
            ExitCode.USAGE_LINE,
            "4:cannot listen (address in use, unknown host, path exists and is not a stale socket)",
            ExitCode.INTERNAL_LINE
        })
final class ListenCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ADDRESS", converter = Addresses.Converter.class,
            description = "HOST:PORT, [IPv6]:PORT or unix:/PATH to listen on; port 0 picks a free port.")
    private SocketAddress address;

    @Option(names = "--connections", paramLabel = "N",
            description = "Exit after N connections have ended (default: serve until interrupted).")
    private Integer connections;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "60s",
            description = "A connection on which nothing arrives for this long ends with 'timeout'; "
                    + "0 switches it off (default: ${DEFAULT-VALUE}).")
    private Duration idleTimeout;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            defaultValue = "10s",
            description = "Bound on each connection's shutdown handshake (default: ${DEFAULT-VALUE}).")
    private Duration shutdownTimeout;

    @Option(names = "--max-payload-length", paramLabel = "SIZE", converter = Sizes.Converter.class,
            defaultValue = "16MiB",
            description = "Longest payload accepted; a longer frame ends the connection with "
                    + "'frame_too_large' (default: ${DEFAULT-VALUE}).")
    private long maxPayloadLength;

    @Option(names = "--drain-limit", paramLabel = "SIZE", converter = Sizes.Converter.class,
            defaultValue = "256MiB",
            description = "Most bytes a shutdown discards while waiting for the peer's end of stream; past "
                    + "it the connection is closed abortively (default: ${DEFAULT-VALUE}).")
    private long drainLimit;

    @Option(names = "--json", description = "Print one JSON object per line instead of text.")
    private boolean json;

    @ArgGroup(exclusive = false, heading = TlsOptions.HEADING)
    private TlsOptions tlsOptions = new TlsOptions();

    /** What a connection's peer is told when the listener is stopped by a signal. */
    private static final ShutdownReason STOPPING =
            ShutdownReason.of(ShutdownReason.GOING_AWAY, "frameconn frames listen is stopping");

    private final Set<FrameConn> open = ConcurrentHashMap.newKeySet();
    /** Set by the signal hook before it shuts connections down. */
    private volatile boolean stopping;
    /** Counted down when {@link #call()} is done, so a signal's hook can let the last lines out. */
    private final CountDownLatch done = new CountDownLatch(1);

    @Override
    public Integer call() {
        if (connections != null && connections < 1) {
            throw new ParameterException(spec.commandLine(), "--connections=" + connections + " must be at least 1");
        }
        if (maxPayloadLength > Integer.MAX_VALUE) {
            throw new ParameterException(spec.commandLine(),
                    "--max-payload-length=" + maxPayloadLength + " must be at most " + Integer.MAX_VALUE);
        }
        FrameConnConfig config = FrameConnConfig.defaults()
                .withIdleTimeout(idleTimeout)
                .withShutdownTimeout(shutdownTimeout)
                .withMaxPayloadLength((int) maxPayloadLength)
                .withDrainLimit(drainLimit);
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        TlsConfig tls = tlsOptions.loadFor(spec, address);
        Listener server;
        try {
            server = Listener.bind(address, config, tls);
        } catch (UnknownHostException e) {
            err.println(name + ": cannot listen on " + Addresses.format(address) + ": unknown host ("
                    + EndReason.messageOf(e) + ")");
            return ExitCode.UNAVAILABLE;
        } catch (IOException e) {
            err.println(name + ": cannot listen on " + Addresses.format(address) + ": " + EndReason.messageOf(e));
            return ExitCode.UNAVAILABLE;
        }
        EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), json);
        Thread stopper = ShutdownHooks.add("frameconn-listen-stop", () -> stop(server));
        try {
            printer.listening(server.localAddress());
            return serve(server, printer, err, name);
        } finally {
            closeQuietly(server);
            done.countDown();
            ShutdownHooks.remove(stopper);
        }
    }

    private int serve(Listener server, EventPrinter printer, PrintWriter err, String name) {
        AtomicInteger unclean = new AtomicInteger();
        List<Thread> handlers = new ArrayList<>();
        int accepted = 0;
        while (connections == null || accepted < connections) {
            Listener.Accepted next;
            try {
                next = server.accept();
            } catch (ClosedChannelException e) {
                break; // stopped by a signal
            } catch (TlsHandshakeException e) {
                printer.handshakeFailed(e); // that client only: not a connection, and the listener goes on
                continue;
            } catch (IOException e) {
                // a failed accept (peer gone before we saw it, out of descriptors) is not a connection
                err.println(name + ": accept failed: " + EndReason.messageOf(e));
                err.flush();
                pauseAfterAcceptFailure();
                continue;
            }
            int number = ++accepted;
            FrameConn conn = next.conn();
            open.add(conn);
            handlers.add(Thread.ofVirtual().name("frameconn-conn-" + number).start(() -> {
                try {
                    if (!handle(number, next, printer)) {
                        unclean.incrementAndGet();
                    }
                } catch (RuntimeException | Error e) {
                    // a bug must not take the listener down; say so, and count it
                    unclean.incrementAndGet();
                    printer.error(number, "internal error: " + e);
                    e.printStackTrace(err);
                    err.flush();
                } finally {
                    conn.close();
                    open.remove(conn);
                }
            }));
            handlers.removeIf(t -> !t.isAlive());
        }
        closeQuietly(server); // stop accepting before waiting: later connects are refused
        for (Thread handler : handlers) {
            joinUninterruptibly(handler);
        }
        return unclean.get() == 0 ? ExitCode.OK : ExitCode.FAILED;
    }

    /** Serves one connection to its end; true if it ended with a clean shutdown handshake. */
    private boolean handle(int number, Listener.Accepted accepted, EventPrinter printer) {
        FrameConn conn = accepted.conn();
        printer.accepted(number, conn.remoteAddress(), accepted.client());
        EndReason reason;
        String message;
        ShutdownReason peerReason;
        while (true) {
            try (Frame frame = conn.readFrame()) {
                printer.frame(number, frame.type(), frame.length(), Sha256.hex(frame.payload()));
            } catch (IOException e) {
                reason = EndReason.of(e);
                message = EndReason.messageOf(e);
                peerReason = EndReason.peerReasonOf(e).orElse(null);
                if (stopping && reason != EndReason.LOCAL_SHUTDOWN) {
                    // a read already in progress when we shut down ends however the stream ends
                    // (eof once the peer answers our RST): the cause is still our stop
                    message = "listener stopped; the read in progress ended with " + reason.label()
                            + ": " + message;
                    reason = EndReason.LOCAL_SHUTDOWN;
                }
                break;
            }
        }
        printer.ended(number, reason, message);
        // no reason of our own: an answer to the peer's RST is empty, as zrepl's is, and
        // after a protocol violation the connection fills in the matching one itself
        ShutdownResult result = conn.shutdown(shutdownTimeout);
        printer.closed(number, reason, message, peerReason, result);
        return reason == EndReason.PEER_SHUTDOWN && result.clean();
    }

    /** The shutdown hook: stop accepting and shut the open connections down, in parallel. */
    private void stop(Listener server) {
        stopping = true;
        closeQuietly(server);
        List<Thread> shutdowns = new ArrayList<>();
        for (FrameConn conn : open) {
            shutdowns.add(Thread.ofVirtual().start(() -> conn.shutdown(shutdownTimeout, STOPPING)));
        }
        for (Thread t : shutdowns) {
            joinUninterruptibly(t);
        }
        try {
            // the handlers print their end lines after the shutdowns; bounded, the JVM is going down
            done.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pauseAfterAcceptFailure() {
        // a persistent failure (EMFILE) would otherwise spin a core; this is throttling, not waiting
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Listener server) {
        try {
            server.close();
        } catch (IOException ignored) {
            // only the Unix socket file's removal can fail; nothing useful to add
        }
    }
}
