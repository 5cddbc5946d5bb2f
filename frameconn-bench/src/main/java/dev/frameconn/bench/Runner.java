package dev.frameconn.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the workloads of one benchmark run in this process: for each setting,
 * warm-up rounds and then measured rounds, and within each round every
 * contender once, always in the same order (A B C A B C ...), so that drift on
 * a noisy machine hits all alike.
 */
final class Runner implements AutoCloseable {
    /** Payloads of the tls workload: the 64 KiB and 512 KiB. */
    static final List<Integer> TLS_PAYLOADS = List.of(64 << 10, 512 << 10);

    private final BenchOptions options;
    private final PrintStream progress;
    private final List<Contender> contenders = new ArrayList<>();
    /** The tls workload's: Netty NIO with SslHandler, then frameconn-tls, per frame. */
    private final List<Contender> tlsContenders = new ArrayList<>();
    private final List<NettyTransport> nettyTransports = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> transferInfo = new ArrayList<>();
    private IdleResult idle;

    Runner(BenchOptions options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
        SocketBuffers.set(options.socketBuffer());
        if (options.socketBuffer() > 0) {
            notes.add("socket buffers fixed at " + options.socketBuffer() + " bytes (SO_SNDBUF, SO_RCVBUF) for every "
                    + "contender: kernel autotuning off");
        }
        try {
            open(options);
        } catch (RuntimeException | Error e) {
            // event loops already opened are non-daemon threads: left running they keep the JVM alive
            close();
            throw e;
        }
    }

    /** Builds the contenders, opening the Netty event loops and the TLS material they need. */
    private void open(BenchOptions options) {
        for (Impl impl : options.impls()) {
            switch (impl) {
                case RAW -> contenders.add(new RawContender());
                case NETTY_NIO, NETTY_EPOLL -> {
                    if (impl == Impl.NETTY_EPOLL && NettyTransport.epollUnavailable() != null) {
                        notes.add("netty-epoll skipped: " + NettyTransport.epollUnavailable());
                        continue;
                    }
                    NettyTransport transport = NettyTransport.open(impl, options.nettyAllocator());
                    nettyTransports.add(transport);
                    contenders.add(new NettyContender(NettyOptions.of(transport, Mode.PER_FRAME)
                            .withEventLoopSender(options.nettyEventLoopSender())));
                    contenders.add(new NettyContender(NettyOptions.of(transport, Mode.BATCH)
                            .withEventLoopSender(options.nettyEventLoopSender())));
                }
                case FRAMECONN -> {
                    contenders.add(new FrameconnContender(Mode.PER_FRAME));
                    contenders.add(new FrameconnContender(Mode.BATCH));
                    contenders.add(new FrameconnContender(Mode.SPIN));
                }
                case NETTY_NIO_TLS, FRAMECONN_TLS -> {
                    // the tls workload's, below
                }
                case FRAMECONN_PIPE, NC, NC_SHA256, SOCAT, MBUFFER, SOCAT_TLS, STREAM_LIB -> {
                    // the transfer workload's (TransferWorkload)
                }
            }
        }
        if (options.workloads().contains(Workload.TLS)) {
            BenchTls tls = null;
            for (Impl impl : options.impls()) {
                if (impl == Impl.NETTY_NIO_TLS || impl == Impl.FRAMECONN_TLS) {
                    tls = tls == null ? BenchTls.create() : tls;
                    if (impl == Impl.NETTY_NIO_TLS) {
                        NettyTransport transport = NettyTransport.open(Impl.NETTY_NIO, options.nettyAllocator());
                        nettyTransports.add(transport);
                        tlsContenders.add(new NettyContender(NettyOptions.of(transport, Mode.PER_FRAME)
                                .withEventLoopSender(options.nettyEventLoopSender()).withTls(tls)));
                    } else {
                        tlsContenders.add(new FrameconnContender(Mode.PER_FRAME, tls));
                    }
                }
            }
        }
    }

    /** Notes for the report: skipped implementations, unclean shutdowns. */
    List<String> notes() {
        List<String> all = new ArrayList<>(notes);
        for (Contender c : allContenders()) {
            if (c instanceof FrameconnContender f && f.shutdownWarning() != null) {
                all.add(c.name() + ": a shutdown was not clean (data were complete): " + f.shutdownWarning());
            }
        }
        return all;
    }

    /** How the transfer workload's rows were made (CLI, tools, file), for the report; empty if it did not run. */
    List<String> transferInfo() {
        return transferInfo;
    }

    /** The idle workload's result, or null if it did not run (not selected, or frameconn not among the impls). */
    IdleResult idle() {
        return idle;
    }

    /**
     * Runs every selected workload; pinned ping-pong runs in a child JVM
     * ({@link PinnedChild}); the idle workload, frameconn only, runs first, with
     * its server ends in another child JVM ({@link IdleWorkload}).
     */
    List<Measurement> run() throws Exception {
        List<Measurement> results = new ArrayList<>();
        if (options.workloads().contains(Workload.IDLE) && options.impls().contains(Impl.FRAMECONN)
                && !options.pinnedChild()) {
            // first: later workloads leave direct buffers behind (pools, thread caches, garbage awaiting
            // its cleaner) that shrink on their own and would skew the before/after difference
            idle = IdleWorkload.run(options.idle(), progress);
        }
        if (options.workloads().contains(Workload.ONE_WAY)) {
            for (int payload : options.payloads()) {
                results.addAll(transfers(contenders, Workload.ONE_WAY, payload, 1, ThreadKind.PLATFORM));
            }
        }
        if (options.workloads().contains(Workload.PING_PONG)) {
            List<Measurement> unpinned = pingPongs(options.pinnedChild());
            results.addAll(unpinned);
            if (options.pin() && !options.pinnedChild()) {
                results.addAll(PinnedChild.run(options, unpinned, notes, progress));
            }
        }
        if (options.workloads().contains(Workload.CONNECTIONS)) {
            for (int n : options.connections()) {
                results.addAll(transfers(contenders, Workload.CONNECTIONS, options.connectionPayload(), n,
                        options.connectionThreads()));
            }
        }
        if (options.workloads().contains(Workload.TLS) && !tlsContenders.isEmpty()) {
            for (int payload : TLS_PAYLOADS) {
                results.addAll(transfers(tlsContenders, Workload.TLS, payload, 1, ThreadKind.PLATFORM));
            }
        }
        if (options.workloads().contains(Workload.TRANSFER) && !options.pinnedChild()) {
            // the frame layer's one-way 512 KiB row is measured here only if the one-way workload has none
            boolean needReference = results.stream().noneMatch(TransferWorkload::isFrameReference);
            TransferWorkload transfer = TransferWorkload.forRun(options, progress);
            results.addAll(transfer.run(needReference));
            notes.addAll(transfer.notes());
            transferInfo.addAll(transfer.info());
        }
        return results;
    }

    private List<Measurement> transfers(List<Contender> contenders, Workload workload, int payload, int connections,
            ThreadKind threads) throws Exception {
        long t0 = System.nanoTime();
        contenders = contenders.stream().filter(Contender::transfers).toList();
        List<Measurement> rows = new ArrayList<>();
        for (Contender c : contenders) {
            rows.add(new Measurement(workload, c.impl(), c.mode(), payload, connections, null, c.threads(threads)));
        }
        int total = options.warmup() + options.rounds();
        for (int round = 0; round < total; round++) {
            for (int i = 0; i < contenders.size(); i++) {
                Contender c = contenders.get(i);
                Round r = workload == Workload.CONNECTIONS && options.connectionBytes() > 0
                        ? Round.budgeted(options.connectionFrames(connections))
                        : Round.timed(options.durationNanos());
                TransferResult result = c.transfer(payload, connections, r, threads);
                if (round >= options.warmup()) {
                    rows.get(i).add(result);
                }
            }
        }
        progress.printf(Locale.ROOT, "  %-12s payload=%-8s connections=%-4d %d contenders x %d rounds: %.1f s%n",
                workload.label(), Report.size(payload), connections, contenders.size(), total,
                (System.nanoTime() - t0) / 1e9);
        return rows;
    }

    private List<Measurement> pingPongs(boolean pinned) throws Exception {
        long t0 = System.nanoTime();
        // spinning only makes sense with a CPU for each end: not in the pinned child (one CPU)
        List<Contender> players = contenders.stream().filter(Contender::pingPongs)
                .filter(c -> !(pinned && c.mode() == Mode.SPIN)).toList();
        List<Measurement> rows = new ArrayList<>();
        for (Contender c : players) {
            rows.add(new Measurement(Workload.PING_PONG, c.impl(), c.mode(), BenchOptions.PING_PAYLOAD, 1, pinned,
                    c.pingPongThreads()));
        }
        int total = options.warmup() + options.rounds();
        for (int round = 0; round < total; round++) {
            for (int i = 0; i < players.size(); i++) {
                PingPongResult result = players.get(i).pingPong(BenchOptions.PING_PAYLOAD, options.durationNanos());
                if (round >= options.warmup()) {
                    rows.get(i).add(result);
                }
            }
        }
        progress.printf(Locale.ROOT, "  %-12s payload=%-8s pinned=%-5s %d contenders x %d rounds: %.1f s%n",
                Workload.PING_PONG.label(), Report.size(BenchOptions.PING_PAYLOAD), pinned, players.size(), total,
                (System.nanoTime() - t0) / 1e9);
        return rows;
    }

    private List<Contender> allContenders() {
        List<Contender> all = new ArrayList<>(contenders);
        all.addAll(tlsContenders);
        return all;
    }

    @Override
    public void close() {
        for (Contender c : allContenders()) {
            c.close();
        }
        for (NettyTransport t : nettyTransports) {
            t.close();
        }
    }
}
