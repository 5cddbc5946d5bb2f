package dev.frameconn.bench;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The settings of one benchmark run, parsed from the command line. Every
 * contender gets the same duration, rounds and warm-up.
 *
 * @param quick the --quick preset (short rounds, 5 measured; transfer: 256 MiB, 2 rounds)
 * @param json one JSON object per measurement on stdout instead of the table
 * @param rounds measured rounds per setting
 * @param warmup warm-up rounds per setting, not reported
 * @param durationNanos length of every round
 * @param workloads which workloads run
 * @param impls which implementations run, in this order within a round
 * @param payloads payload sizes of the one-way workload
 * @param connections connection counts of the connections workload
 * @param connectionPayload payload size of the connections workload
 * @param connectionBytes 0: connections rounds are timed like the others; else payload bytes per
 *        round of the connections workload, split evenly: every connection sends the same frames
 * @param connectionThreads thread kind of raw and frameconn, and of Netty's senders, in the connections workload
 * @param socketBuffer 0: the kernel sizes every socket's buffers (autotuning); else SO_SNDBUF and SO_RCVBUF of
 *        every contender's TCP sockets, set before they connect
 * @param idle the idle workload's connection counts, heartbeat and CPU window
 * @param nettyAllocator "pooled" or "adaptive"
 * @param nettyEventLoopSender Netty's transfer senders run on the event loop instead of application threads
 * @param pin whether to run ping-pong a second time pinned to CPU 0
 * @param pinnedChild this process is the pinned child of another run
 * @param transferBytes size of the file the transfer workload moves (default 1 GiB; --quick 256 MiB)
 * @param transferRounds measured rounds of the transfer workload (default 3; --quick 2); no warm-up rounds
 * @param frameconnHome the repository whose bin/frameconn the transfer workload runs, or null: found from
 *        where this code was loaded, or the working directory
 * @param transferCli how the transfer workload starts the CLI: "launcher" (bin/frameconn) or "jar"
 *        (java -jar frameconn-cli/target/frameconn-cli.jar with this JVM's java and FRAMECONN_JAVA_OPTS)
 * @param args the arguments as given, for the report
 */
record BenchOptions(
        boolean quick,
        boolean json,
        int rounds,
        int warmup,
        long durationNanos,
        Set<Workload> workloads,
        List<Impl> impls,
        List<Integer> payloads,
        List<Integer> connections,
        int connectionPayload,
        long connectionBytes,
        ThreadKind connectionThreads,
        int socketBuffer,
        IdleOptions idle,
        String nettyAllocator,
        boolean nettyEventLoopSender,
        boolean pin,
        boolean pinnedChild,
        long transferBytes,
        int transferRounds,
        java.nio.file.Path frameconnHome,
        String transferCli,
        List<String> args) {

    /** Payload of every ping-pong frame. */
    static final int PING_PAYLOAD = 64;
    /** Default connection counts of the idle workload: issue 10's three; --quick: 1,000 only. */
    static final List<Integer> IDLE_CONNECTIONS = List.of(1_000, 5_000, 18_000);
    static final List<Integer> IDLE_CONNECTIONS_QUICK = List.of(1_000);
    /** Default file of the transfer workload: the 1 GiB; --quick: 256 MiB. */
    static final long TRANSFER_MB = 1024;
    static final long TRANSFER_MB_QUICK = 256;

    static final String USAGE = """
            usage: bin/frameconn bench [options]          end-to-end benchmark over loopback TCP
                   bin/frameconn bench jmh [JMH options]  JMH microbenchmarks (e.g. jmh -prof gc)

            Every implementation runs in this one process, interleaved round by round
            (raw, netty-nio, netty-epoll, frameconn, raw, ...), after warm-up rounds.
            First comes the idle workload (frameconn only, also in --quick): 1,000, 5,000
            and 18,000 client connections in turn (--quick: 1,000), each with a virtual
            thread blocked in readFrame, to a server in a child JVM; it prints heap and
            direct memory per connection against the target of at most 8 KiB, and with
            --idle-heartbeat the CPU the heartbeats cost per 1,000 connections.

            options:
              --quick                  short rounds (0.25 s, 1 warm-up, 5 measured), transfer 256 MiB
                                       in 2 rounds: about 4 minutes
              --json                   one JSON object per line and measurement, instead of the table
              --rounds N               measured rounds per setting (default 7; --quick 5)
              --warmup N               warm-up rounds per setting (default 2; --quick 1)
              --duration-ms N          length of each round (default 1000; --quick 250)
              --workloads LIST         one-way,ping-pong,connections,idle,tls,transfer (default all);
                                       tls: 64k and 512k frames over TLS 1.3 with mutual
                                       authentication, netty-nio-tls (SslHandler, JDK provider)
                                       beside frameconn-tls; transfer: one file between two
                                       processes, frameconn send/recv beside nc (also with sha256sum at both ends), socat, mbuffer
              --idle-only              only the idle workload (same as --workloads idle)
              --impls LIST             raw,netty-nio,netty-epoll,frameconn,netty-nio-tls,frameconn-tls,
                                       frameconn-pipe,nc,nc-sha256,socat,mbuffer,socat-tls,stream-lib
                                       (default all; each runs in the workloads it belongs to)
              --payloads LIST          one-way payload sizes (default 64,4k,64k,512k,4m)
              --connections LIST       connection counts (default 1,16,256)
              --connection-payload N   payload of the connections workload (default 64k)
              --connection-mb N        give each connections round a budget of N x 10^6 payload
                                       bytes, split evenly over the connections, instead of
                                       --duration-ms (spread then compares finishing times)
              --connection-threads K   platform or virtual: the threads of raw and frameconn, and
                                       Netty's sender threads, in the connections workload
                                       (default virtual)
              --socket-buffer N        SO_SNDBUF and SO_RCVBUF of every contender's TCP sockets
                                       (e.g. 1m; default: the kernel's autotuning)
              --idle-connections LIST  connection counts of the idle workload, each at most
                                       18000 (default 1000,5000,18000; --quick 1000); each
                                       process needs ulimit -n above N + about 200
              --idle-heartbeat D       a HeartbeatConn over every idle connection at both ends,
                                       sending every D (e.g. 5s; peer timeout 2 x D)
              --idle-cpu-window D      after the memory readings, let the connections sit idle
                                       for D and read both processes' CPU time (default 20s
                                       with --idle-heartbeat, else none)
              --idle-warmup N          connections opened and shut down, 100 at a time, before
                                       each size is measured, so that the JIT has compiled
                                       what they run (default 6000)
              --netty-allocator A      pooled (default) or adaptive (Netty 4.2's default)
              --netty-sender S         thread (default): Netty's transfer senders are application
                                       threads calling write/writeAndFlush; event-loop: they run
                                       on the channel's event loop (each writeAndFlush flushes
                                       at once: one system call per frame)
              --transfer-mb N          file size of the transfer workload in MiB (default 1024;
                                       --quick 256); the file lives in /dev/shm
              --transfer-rounds N      measured rounds of the transfer workload (default 3; --quick 2)
              --transfer-cli HOW       launcher (default): run bin/frameconn itself, built first;
                                       jar: java -jar frameconn-cli/target/frameconn-cli.jar with
                                       this JVM's java and FRAMECONN_JAVA_OPTS
              --frameconn-home DIR     the repository holding bin/frameconn (default: found from
                                       where the bench was loaded, else the working directory)
              --no-pin                 skip the ping-pong run pinned to CPU 0 (taskset -c 0)
              -h, --help               this text
            """;

    /** Parses {@code args}; throws IllegalArgumentException with a {@code name=value} message on a bad one. */
    static BenchOptions parse(String[] args) {
        boolean quick = false;
        boolean json = false;
        Integer rounds = null;
        Integer warmup = null;
        Long durationMs = null;
        Set<Workload> workloads = EnumSet.allOf(Workload.class);
        List<Impl> impls = List.of(Impl.values());
        List<Integer> payloads = List.of(64, 4 << 10, 64 << 10, 512 << 10, 4 << 20);
        List<Integer> connections = List.of(1, 16, 256);
        int connectionPayload = 64 << 10;
        Long connectionMb = null;
        ThreadKind connectionThreads = ThreadKind.VIRTUAL;
        int socketBuffer = 0;
        List<Integer> idleConnections = null;
        java.time.Duration idleHeartbeat = null;
        java.time.Duration idleCpuWindow = null;
        int idleWarmup = IdleOptions.DEFAULT_WARMUP_CONNECTIONS;
        String allocator = NettyTransport.POOLED;
        boolean nettyEventLoopSender = false;
        boolean pin = true;
        boolean pinnedChild = false;
        Long transferMb = null;
        Integer transferRounds = null;
        java.nio.file.Path home = null;
        String transferCli = "launcher";
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> quick = true;
                case "--json" -> json = true;
                case "--no-pin" -> pin = false;
                case "--pinned-child" -> pinnedChild = true;
                case "--rounds" -> rounds = positive(arg, value(args, ++i, arg), 1);
                case "--warmup" -> warmup = positive(arg, value(args, ++i, arg), 0);
                case "--duration-ms" -> durationMs = (long) positive(arg, value(args, ++i, arg), 1);
                case "--idle-only" -> workloads = EnumSet.of(Workload.IDLE);
                case "--idle-connections" -> {
                    List<Integer> counts = new ArrayList<>();
                    for (String s : list(value(args, ++i, arg))) {
                        counts.add(positive(arg, s, 1));
                    }
                    idleConnections = List.copyOf(counts);
                }
                case "--idle-heartbeat" -> idleHeartbeat = duration(arg, value(args, ++i, arg));
                case "--idle-cpu-window" -> idleCpuWindow = duration(arg, value(args, ++i, arg));
                case "--idle-warmup" -> idleWarmup = positive(arg, value(args, ++i, arg), 1);
                case "--workloads" -> {
                    workloads = EnumSet.noneOf(Workload.class);
                    for (String w : list(value(args, ++i, arg))) {
                        workloads.add(Workload.fromLabel(w));
                    }
                }
                case "--impls" -> {
                    List<Impl> chosen = new ArrayList<>();
                    for (String s : list(value(args, ++i, arg))) {
                        chosen.add(Impl.fromLabel(s));
                    }
                    // keep the canonical order: raw, netty-nio, netty-epoll, frameconn
                    impls = List.of(Impl.values()).stream().filter(chosen::contains).toList();
                }
                case "--payloads" -> payloads = sizes(arg, value(args, ++i, arg));
                case "--connections" -> {
                    List<Integer> counts = new ArrayList<>();
                    for (String s : list(value(args, ++i, arg))) {
                        counts.add(positive(arg, s, 1));
                    }
                    connections = List.copyOf(counts);
                }
                case "--connection-payload" -> connectionPayload = size(arg, value(args, ++i, arg));
                case "--connection-mb" -> connectionMb = (long) positive(arg, value(args, ++i, arg), 1);
                case "--connection-threads" -> connectionThreads = ThreadKind.fromLabel(value(args, ++i, arg));
                case "--transfer-mb" -> transferMb = (long) positive(arg, value(args, ++i, arg), 1);
                case "--transfer-rounds" -> transferRounds = positive(arg, value(args, ++i, arg), 1);
                case "--frameconn-home" -> home = java.nio.file.Path.of(value(args, ++i, arg));
                case "--transfer-cli" -> {
                    transferCli = value(args, ++i, arg);
                    if (!transferCli.equals("launcher") && !transferCli.equals("jar")) {
                        throw new IllegalArgumentException("--transfer-cli=" + transferCli
                                + " is neither launcher nor jar");
                    }
                }
                case "--socket-buffer" -> socketBuffer = size(arg, value(args, ++i, arg));
                case "--netty-sender" -> {
                    String sender = value(args, ++i, arg);
                    if (!sender.equals("thread") && !sender.equals("event-loop")) {
                        throw new IllegalArgumentException("--netty-sender=" + sender
                                + " is neither thread nor event-loop");
                    }
                    nettyEventLoopSender = sender.equals("event-loop");
                }
                case "--netty-allocator" -> {
                    allocator = value(args, ++i, arg);
                    if (!allocator.equals(NettyTransport.POOLED) && !allocator.equals(NettyTransport.ADAPTIVE)) {
                        throw new IllegalArgumentException("--netty-allocator=" + allocator
                                + " is neither pooled nor adaptive");
                    }
                }
                default -> throw new IllegalArgumentException("argument=" + arg + " is unknown; see --help");
            }
        }
        if (impls.isEmpty()) {
            throw new IllegalArgumentException("--impls selects no implementation");
        }
        long ms = durationMs != null ? durationMs : quick ? 250 : 1000;
        long duration = TimeUnit.MILLISECONDS.toNanos(ms);
        long connectionBytes = connectionMb != null ? connectionMb * 1_000_000L : 0;
        return new BenchOptions(quick, json, rounds != null ? rounds : quick ? 5 : 7,
                warmup != null ? warmup : quick ? 1 : 2, duration, workloads, impls, payloads, connections,
                connectionPayload, connectionBytes, connectionThreads, socketBuffer,
                idle(quick, idleConnections, idleHeartbeat, idleCpuWindow, idleWarmup), allocator,
                nettyEventLoopSender, pin, pinnedChild,
                (transferMb != null ? transferMb : quick ? TRANSFER_MB_QUICK : TRANSFER_MB) << 20,
                transferRounds != null ? transferRounds : quick ? 2 : 3, home, transferCli,
                List.of(args));
    }

    private static IdleOptions idle(boolean quick, List<Integer> sizes, java.time.Duration heartbeat,
            java.time.Duration cpuWindow, int warmup) {
        java.time.Duration window = cpuWindow != null ? cpuWindow
                : heartbeat != null ? IdleOptions.DEFAULT_CPU_WINDOW : java.time.Duration.ZERO;
        return new IdleOptions(sizes != null ? sizes : quick ? IDLE_CONNECTIONS_QUICK : IDLE_CONNECTIONS,
                heartbeat, window.toNanos(), warmup);
    }

    /** A duration with its unit: "500ms", "5s", "1m". */
    static java.time.Duration duration(String name, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        TimeUnit unit;
        String digits;
        if (v.endsWith("ms")) {
            unit = TimeUnit.MILLISECONDS;
            digits = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            unit = TimeUnit.SECONDS;
            digits = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            unit = TimeUnit.MINUTES;
            digits = v.substring(0, v.length() - 1);
        } else {
            throw new IllegalArgumentException(name + "=" + value + " needs a unit: ms, s or m (e.g. 5s)");
        }
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a duration (e.g. 500ms, 5s)");
        }
        if (n < 1) {
            throw new IllegalArgumentException(name + "=" + value + " must be positive");
        }
        java.time.Duration d = java.time.Duration.ofNanos(unit.toNanos(n));
        if (d.compareTo(java.time.Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(name + "=" + value + " must be at most an hour");
        }
        return d;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                items.add(s.trim());
            }
        }
        return items;
    }

    private static int positive(String name, String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a number");
        }
        if (n < min) {
            throw new IllegalArgumentException(name + "=" + value + " must be >= " + min);
        }
        return n;
    }

    private static List<Integer> sizes(String name, String value) {
        List<Integer> sizes = new ArrayList<>();
        for (String s : list(value)) {
            sizes.add(size(name, s));
        }
        return List.copyOf(sizes);
    }

    /** A byte count: plain, or with k/m for KiB/MiB ("64k", "4m"). */
    static int size(String name, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        int shift = 0;
        if (v.endsWith("k")) {
            shift = 10;
            v = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            shift = 20;
            v = v.substring(0, v.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(v) << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a size (e.g. 64, 4k, 4m)");
        }
        if (n < 1 || n > Wire.MAX_PAYLOAD) {
            throw new IllegalArgumentException(name + "=" + value + " must be in 1.." + Wire.MAX_PAYLOAD);
        }
        return (int) n;
    }

    /** Frames each connection sends per round of the connections workload with {@code n} connections. */
    long connectionFrames(int n) {
        return Math.max(1, (connectionBytes + (long) n * connectionPayload - 1) / ((long) n * connectionPayload));
    }

    /** The arguments that make a pinned child run this run's ping-pong with the same settings. */
    List<String> childArgs() {
        List<String> child = new ArrayList<>();
        child.add("--pinned-child");
        child.add("--workloads");
        child.add(Workload.PING_PONG.label());
        child.add("--rounds");
        child.add(Integer.toString(rounds));
        child.add("--warmup");
        child.add(Integer.toString(warmup));
        child.add("--duration-ms");
        child.add(Long.toString(TimeUnit.NANOSECONDS.toMillis(durationNanos)));
        child.add("--impls");
        child.add(String.join(",", impls.stream().map(Impl::label).toList()));
        child.add("--netty-allocator");
        child.add(nettyAllocator);
        if (socketBuffer > 0) {
            // the pinned rows must run under the same socket buffers as the unpinned ones they sit beside
            child.add("--socket-buffer");
            child.add(Integer.toString(socketBuffer));
        }
        return child;
    }
}
