package dev.frameconn.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Prints the results: a table for people, with the ratios frameconn ÷ raw and
 * frameconn ÷ Netty computed from this run's medians, or one JSON object per
 * line and measurement for machines.
 */
final class Report {
    private static final List<Impl> OTHERS = List.of(Impl.RAW, Impl.NETTY_NIO, Impl.NETTY_EPOLL);

    private Report() {}

    /** A payload size as people write it: 64 B, 4 KiB, 4 MiB. */
    static String size(int bytes) {
        return size((long) bytes);
    }

    /** A size as people write it: 64 B, 4 KiB, 4 MiB, 1 GiB. */
    static String size(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + " GiB";
        }
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return bytes / (1 << 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return bytes / (1 << 10) + " KiB";
        }
        return bytes + " B";
    }

    // ------------------------------------------------------------ table

    static void table(PrintStream out, BenchOptions o, List<String> header, List<Measurement> rows,
            IdleResult idle, List<String> notes, List<String> transferInfo) {
        out.println("frameconn bench " + String.join(" ", o.args()));
        // the transfer workload's own frame-layer reference row is shown in its section, not as a one-way table
        boolean rounds = rows.stream().anyMatch(m -> m.workload != Workload.TRANSFER
                && o.workloads().contains(m.workload));
        if (rounds) {
            out.printf(Locale.ROOT, "  %d warm-up + %d measured rounds per setting, within each round every "
                            + "contender once, in the order below; all in one JVM except the pinned ping-pong%n",
                    o.warmup(), o.rounds());
            if (o.connectionBytes() > 0) {
                out.printf(Locale.ROOT, "  rounds: one-way and ping-pong %d ms each; connections %d MB per round, "
                                + "split evenly over the connections%n",
                        o.durationNanos() / 1_000_000, o.connectionBytes() / 1_000_000);
            } else {
                out.printf(Locale.ROOT, "  rounds: %d ms each (senders stop then; the round ends when the last "
                        + "receiver has every frame)%n", o.durationNanos() / 1_000_000);
            }
        }
        for (String line : header) {
            out.println(line);
        }
        if (o.workloads().contains(Workload.TRANSFER)) {
            out.printf(Locale.ROOT, "  transfer: %s file, %d measured rounds%s, no warm-up (every round starts "
                            + "fresh processes)%n", size(o.transferBytes()), o.transferRounds(),
                    o.quick() && o.transferBytes() == BenchOptions.TRANSFER_MB_QUICK << 20
                            ? " (--quick: the full run moves " + size(BenchOptions.TRANSFER_MB << 20) + " in 3 rounds)"
                            : "");
        }
        if (rounds) {
            out.println("figures: median [min-max] over the measured rounds; MB/s = 10^6 payload bytes per second");
            out.println("modes:   per-frame = frameconn writeFrame / Netty writeAndFlush, once per frame;");
            out.println("         batch = frameconn batch API (64 frames, at most 8 MiB) / Netty write per frame, "
                    + "flush every 64 / raw: the same bytes in 1 MiB writes, no framing");
            out.println("threads: Netty K+event-loop = a sender thread of kind K per connection calls "
                    + "write/writeAndFlush (Netty's default water marks block it while the channel is not "
                    + "writable); the event loops do the I/O and the receiving; Netty event-loop "
                    + "(--netty-sender event-loop) = the sender runs on the event loop");
        }
        if (o.workloads().contains(Workload.ONE_WAY)) {
            oneWay(out, rows);
        }
        pingPong(out, rows);
        connections(out, rows);
        tls(out, rows);
        transfer(out, rows, transferInfo);
        idle(out, idle);
        if (!notes.isEmpty()) {
            out.println();
            out.println("notes:");
            for (String note : notes) {
                out.println("  " + note);
            }
        }
    }

    /** One row per measurement: payload (shown once per size), impl, mode, MB/s and frames/s medians. */
    private static void throughputTable(PrintStream out, List<Measurement> mine, int implWidth) {
        String format = "%-9s %-" + implWidth + "s %-10s %-28s %s%n";
        out.printf(format, "payload", "impl", "mode", "MB/s", "frames/s");
        int last = -1;
        for (Measurement m : mine) {
            String payload = m.payload == last ? "" : size(m.payload);
            last = m.payload;
            out.printf(format, payload, m.impl.label(), m.mode.label(),
                    figure(m, Measurement.MB_PER_S, Report::mb), median(m, Measurement.FRAMES_PER_S, Report::rate));
        }
    }

    private static void oneWay(PrintStream out, List<Measurement> rows) {
        List<Measurement> mine = select(rows, m -> m.workload == Workload.ONE_WAY);
        if (mine.isEmpty()) {
            return;
        }
        out.println();
        out.println("ONE-WAY, 1 connection (threads: " + threadsOf(mine) + ")");
        throughputTable(out, mine, 12);
        out.println();
        out.println("one-way ratios: frameconn MB/s ÷ other MB/s, medians (> 1: frameconn faster; "
                + "raw is always its batch row)");
        ratioHeader(out, "payload");
        int last = -1;
        for (Measurement m : mine) {
            if (m.impl != Impl.FRAMECONN) {
                continue;
            }
            String payload = m.payload == last ? "" : size(m.payload);
            last = m.payload;
            ratioRow(out, payload, m, mine, Measurement.MB_PER_S);
        }
    }

    private static void pingPong(PrintStream out, List<Measurement> rows) {
        List<Measurement> mine = select(rows, m -> m.workload == Workload.PING_PONG);
        if (mine.isEmpty()) {
            return;
        }
        out.println();
        out.println("PING-PONG, " + size(BenchOptions.PING_PAYLOAD) + " frames, 1 connection, round trip in µs "
                + "(threads: " + threadsOf(mine) + "; pinned = whole JVM under taskset -c 0)");
        out.printf("%-7s %-12s %-10s %-24s %-24s %-16s %s%n", "pinned", "impl", "mode", "p50 µs", "p99 µs",
                "round trips/s", "cpu % of a core (both ends)");
        for (Measurement m : mine) {
            String pinned = Boolean.TRUE.equals(m.pinned) ? "yes" : "no";
            if (m.skipped() != null) {
                out.printf("%-7s %-12s %-10s skipped: %s%n", pinned, m.impl.label(), m.mode.label(), m.skipped());
                continue;
            }
            out.printf("%-7s %-12s %-10s %-24s %-24s %-16s %s%n", pinned, m.impl.label(), m.mode.label(),
                    figure(m, Measurement.P50_US, Report::micros), figure(m, Measurement.P99_US, Report::micros),
                    median(m, Measurement.ROUND_TRIPS_PER_S, Report::rate),
                    m.series().containsKey(Measurement.CPU_PCT)
                            ? median(m, Measurement.CPU_PCT, v -> String.format(Locale.ROOT, "%.0f", v)) : "-");
        }
        out.println();
        out.println("ping-pong ratios: frameconn p50 ÷ other p50, medians (< 1: frameconn faster)");
        ratioHeader(out, "pinned");
        for (Measurement m : mine) {
            if (m.impl == Impl.FRAMECONN && m.skipped() == null) {
                ratioRow(out, Boolean.TRUE.equals(m.pinned) ? "yes" : "no", m, mine, Measurement.P50_US);
            }
        }
    }

    private static void connections(PrintStream out, List<Measurement> rows) {
        List<Measurement> mine = select(rows, m -> m.workload == Workload.CONNECTIONS);
        if (mine.isEmpty()) {
            return;
        }
        out.println();
        out.println("CONNECTIONS, " + size(mine.get(0).payload) + " frames, one sender and one receiver per "
                + "connection, all at once (threads: " + threadsOf(mine) + ")");
        out.println("spread = slowest connection's MB/s ÷ fastest's, each from its sender's first write to its "
                + "last frame (0: a connection got nothing through)");
        out.printf("%-6s %-12s %-10s %-28s %-24s %s%n", "conns", "impl", "mode", "aggregate MB/s",
                "spread", "frames/s");
        int last = -1;
        for (Measurement m : mine) {
            String conns = m.connections == last ? "" : Integer.toString(m.connections);
            last = m.connections;
            out.printf("%-6s %-12s %-10s %-28s %-24s %s%n", conns, m.impl.label(), m.mode.label(),
                    figure(m, Measurement.MB_PER_S, Report::mb), figure(m, Measurement.SPREAD, Report::ratio),
                    median(m, Measurement.FRAMES_PER_S, Report::rate));
        }
        out.println();
        out.println("connections ratios: frameconn aggregate MB/s ÷ other, medians (> 1: frameconn faster)");
        ratioHeader(out, "conns");
        last = -1;
        for (Measurement m : mine) {
            if (m.impl != Impl.FRAMECONN) {
                continue;
            }
            String conns = m.connections == last ? "" : Integer.toString(m.connections);
            last = m.connections;
            ratioRow(out, conns, m, mine, Measurement.MB_PER_S);
        }
    }

    private static void tls(PrintStream out, List<Measurement> rows) {
        List<Measurement> mine = select(rows, m -> m.workload == Workload.TLS);
        if (mine.isEmpty()) {
            return;
        }
        out.println();
        out.println("TLS ONE-WAY, 1 connection, TLS 1.3 with mutual authentication, JDK provider and the same "
                + "cipher order on both, TLS_AES_128_GCM_SHA256 first (threads: " + threadsOf(mine) + ")");
        throughputTable(out, mine, 14);
        out.println();
        out.println("tls ratios: frameconn-tls MB/s ÷ netty-nio-tls MB/s, medians (> 1: frameconn faster; "
                + "target >= 1.0)");
        for (Measurement m : mine) {
            if (m.impl == Impl.FRAMECONN_TLS) {
                Double r = ratio(m, Impl.NETTY_NIO_TLS, mine, Measurement.MB_PER_S);
                out.printf("%-9s %-10s %s%n", size(m.payload), m.mode.label(),
                        r == null ? "-" : String.format(Locale.ROOT, "%.2f", r));
            }
        }
    }

    static void transfer(PrintStream out, List<Measurement> rows, List<String> info) {
        List<Measurement> mine = select(rows, m -> m.workload == Workload.TRANSFER);
        if (mine.isEmpty()) {
            return;
        }
        out.println();
        out.println("TRANSFER, " + size(mine.get(0).bytes) + " file between two processes over loopback TCP, "
                + "every tool once per round, in the order below");
        out.println("MB/s = file bytes ÷ wall time from starting the sender (receiver already listening) until "
                + "both processes exited;");
        out.println("cpu = user + system seconds of both process trees per GiB (stream-lib: this JVM's);");
        out.println("startup = from starting a frameconn sender to its first data frame at a listener in the bench "
                + "(a separate run per round);");
        out.println("every received file was checked by SHA-256 against the input, outside the timing");
        for (String line : info) {
            out.println("  " + line);
        }
        String format = "%-15s %-24s %-24s %s%n";
        out.printf(format, "impl", "MB/s", "cpu s/GiB", "startup ms");
        for (Measurement m : mine) {
            if (m.skipped() != null) {
                out.printf("%-15s skipped: %s%n", m.impl.label(), m.skipped());
                continue;
            }
            out.printf(format, m.impl.label(), figure(m, Measurement.MB_PER_S, Report::mb),
                    figure(m, Measurement.CPU_S_PER_GIB, Report::ratio),
                    m.summary(Measurement.STARTUP_MS) == null ? "-" : figure(m, Measurement.STARTUP_MS, Report::mb));
        }
        Measurement reference = rows.stream().filter(TransferWorkload::isFrameReference).findFirst().orElse(null);
        if (reference != null) {
            out.printf(format, "frame layer", figure(reference, Measurement.MB_PER_S, Report::mb),
                    "(one-way 512 KiB,", "frameconn per-frame, this run)");
        }
        out.println();
        out.println("transfer ratios: MB/s medians (> 1: the first faster)");
        Double nc = medianOf(mine, Impl.NC, Measurement.MB_PER_S);
        Double socat = medianOf(mine, Impl.SOCAT, Measurement.MB_PER_S);
        Double mbuffer = medianOf(mine, Impl.MBUFFER, Measurement.MB_PER_S);
        // no conditional expression here: one mixing Double and double unboxes a missing row into an NPE
        Double better = mbuffer;
        if (socat != null && (mbuffer == null || socat >= mbuffer)) {
            better = socat;
        }
        String betterName = better == null ? "socat/mbuffer" : better.equals(socat) ? "socat" : "mbuffer";
        for (Impl impl : List.of(Impl.FRAMECONN, Impl.FRAMECONN_PIPE)) {
            Double fc = medianOf(mine, impl, Measurement.MB_PER_S);
            ratioLine(out, impl.label() + " ÷ better of socat/mbuffer (" + betterName + ")", fc, better, 1.0);
            ratioLine(out, impl.label() + " ÷ nc", fc, nc, 0.8);
        }
        Double ncSha = medianOf(mine, Impl.NC_SHA256, Measurement.MB_PER_S);
        if (ncSha != null) {
            // no target: the like-for-like comparison (every byte hashed at both ends, as frameconn does)
            out.printf(Locale.ROOT, "  %-52s %s%n", "frameconn ÷ nc-sha256 (nc, SHA-256 at both ends)",
                    String.format(Locale.ROOT, "%.2f", medianOf(mine, Impl.FRAMECONN, Measurement.MB_PER_S) == null
                            ? Double.NaN : medianOf(mine, Impl.FRAMECONN, Measurement.MB_PER_S) / ncSha));
        }
        ratioLine(out, "frameconn-tls ÷ socat-tls", medianOf(mine, Impl.FRAMECONN_TLS, Measurement.MB_PER_S),
                medianOf(mine, Impl.SOCAT_TLS, Measurement.MB_PER_S), 1.0);
        ratioLine(out, "stream-lib ÷ frame layer one-way 512 KiB", medianOf(mine, Impl.STREAM_LIB,
                Measurement.MB_PER_S), reference == null ? null : reference.summary(Measurement.MB_PER_S).median(), 0.8);
        for (Impl impl : List.of(Impl.FRAMECONN, Impl.FRAMECONN_PIPE, Impl.FRAMECONN_TLS)) {
            Double startup = medianOf(mine, impl, Measurement.STARTUP_MS);
            if (startup != null) {
                out.printf(Locale.ROOT, "  %-52s %-8s target <= %d ms: %s%n", impl.label() + " startup, median",
                        String.format(Locale.ROOT, "%.0f ms", startup), TransferWorkload.STARTUP_TARGET_MS,
                        startup <= TransferWorkload.STARTUP_TARGET_MS ? "met" : "NOT met");
            }
        }
    }

    private static void ratioLine(PrintStream out, String what, Double mine, Double theirs, double target) {
        if (mine == null || theirs == null || theirs == 0) {
            out.printf(Locale.ROOT, "  %-52s %-8s target >= %.1f: -%n", what, "-", target);
            return;
        }
        double r = mine / theirs;
        out.printf(Locale.ROOT, "  %-52s %-8s target >= %.1f: %s%n", what, String.format(Locale.ROOT, "%.2f", r),
                target, r >= target ? "met" : "NOT met");
    }

    /** The median of {@code figure} in {@code impl}'s row, or null if it was skipped or lacks it. */
    private static Double medianOf(List<Measurement> rows, Impl impl, String figure) {
        for (Measurement m : rows) {
            if (m.impl == impl && m.skipped() == null && m.summary(figure) != null) {
                return m.summary(figure).median();
            }
        }
        return null;
    }

    private static void idle(PrintStream out, IdleResult idle) {
        if (idle == null) {
            return;
        }
        out.println();
        out.println("IDLE, frameconn connections (default configuration, idle timeout off), each with a virtual thread blocked in "
                + "readFrame; server ends in a child JVM"
                + (idle.heartbeats() ? "; a HeartbeatConn at both ends, sending every "
                        + idle.options().heartbeat().toMillis() + " ms" : ""));
        out.printf(Locale.ROOT, "  memory: heap used after full GCs and the JDK's direct buffer pool, after minus "
                + "before, per connection, in the benchmark process (client ends only); target <= %d KiB;%n"
                + "  before each size, %,d warm-up connections (--idle-warmup), %d at a time, so that the JIT has "
                + "compiled what they run%n",
                IdleRow.TARGET_BYTES_PER_CONNECTION >> 10, idle.options().warmupConnections(),
                IdleWorkload.WARMUP_CONNECTIONS);
        boolean cpu = idle.rows().stream().anyMatch(r -> r.cpu() != null);
        if (cpu) {
            out.printf(Locale.ROOT, "  cpu: %% of one CPU per 1,000 connections over a %.0f s idle window, "
                    + "client process / server child%s%n", idle.options().cpuWindowNanos() / 1e9,
                    idle.heartbeats() ? "; heartbeats/s: received by the client ends" : " (no heartbeats)");
        }
        out.printf("%-12s %-11s %-13s %-22s %-8s %-8s %-10s %-21s%s%n", "connections", "heap B", "direct B",
                "total B", "target", "open s", "shut s", "clean client/server",
                cpu ? String.format("%-22s%s", "cpu %/1k cli/srv", idle.heartbeats() ? " heartbeats/s" : "") : "");
        for (IdleRow r : idle.rows()) {
            if (r.skipped() != null) {
                out.printf(Locale.ROOT, "%-12s skipped: %s%n", String.format(Locale.ROOT, "%,d", r.connections()),
                        r.skipped());
                continue;
            }
            String cpuCells = "";
            if (r.cpu() != null) {
                cpuCells = String.format(Locale.ROOT, "%-22s", String.format(Locale.ROOT, "%.3f / %.3f",
                        r.clientCpuPer1k(), r.serverCpuPer1k()));
                if (idle.heartbeats()) {
                    cpuCells += String.format(Locale.ROOT, " %,.0f", r.cpu().heartbeatsPerSecond());
                }
            }
            out.printf(Locale.ROOT, "%-12s %-11s %-13s %-22s %-8s %-8.1f %-10.1f %-21s%s%n",
                    String.format(Locale.ROOT, "%,d", r.connections()),
                    String.format(Locale.ROOT, "%,d", r.heapPerConnection()),
                    String.format(Locale.ROOT, "%,d", r.directPerConnection()),
                    String.format(Locale.ROOT, "%,d (%.1f KiB)", r.totalPerConnection(),
                            r.totalPerConnection() / 1024.0),
                    r.meetsTarget() ? "met" : "NOT met", r.openNanos() / 1e9, r.closeNanos() / 1e9,
                    r.cleanClient() + "/" + r.cleanServer() + (r.allClean() ? "" : " NOT all"), cpuCells);
        }
        double growth = idle.cpuGrowth();
        if (!Double.isNaN(growth)) {
            out.printf(Locale.ROOT, "  cpu per 1,000 connections, largest size over smallest: %.2fx%s%n", growth,
                    idle.heartbeats() ? String.format(Locale.ROOT, " (target <= %.1fx: %s)",
                            IdleResult.TARGET_CPU_GROWTH, growth <= IdleResult.TARGET_CPU_GROWTH ? "met" : "NOT met")
                            : "");
        }
        for (IdleRow r : idle.rows()) {
            if (r.skipped() != null) {
                continue;
            }
            out.printf(Locale.ROOT, "  %,d: heap %s before, %s idle; direct %s before, %s idle; readers parked "
                            + "%d, ended by the server's shutdown %d%n", r.connections(), mib(r.heapBefore()),
                    mib(r.heapAfter()), mib(r.directBefore()), mib(r.directAfter()), r.parked(), r.readersEnded());
            if (!r.settled()) {
                out.printf(Locale.ROOT, "  %,d: doubtful: heap or direct memory was still moving after the GCs "
                        + "allowed%n", r.connections());
            }
            if (r.unclean() != null) {
                out.printf(Locale.ROOT, "  %,d: first unclean shutdown: %s%n", r.connections(), r.unclean());
            }
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }

    private static void ratioHeader(PrintStream out, String first) {
        out.printf("%-9s %-10s", first, "mode");
        for (Impl other : OTHERS) {
            out.printf(" %-13s", "÷" + other.label());
        }
        out.println();
    }

    private static void ratioRow(PrintStream out, String first, Measurement fc, List<Measurement> rows,
            String figure) {
        out.printf("%-9s %-10s", first, fc.mode.label());
        for (Impl other : OTHERS) {
            Double r = ratio(fc, other, rows, figure);
            out.printf(" %-13s", r == null ? "-" : String.format(Locale.ROOT, "%.2f", r));
        }
        out.println();
    }

    /**
     * frameconn's median ÷ the other's, same setting; the other in the same
     * mode, except raw, which has only its batch row. Null if either is missing.
     */
    static Double ratio(Measurement fc, Impl other, List<Measurement> rows, String figure) {
        Mode mode = other == Impl.RAW ? Mode.BATCH : fc.mode; // (tls rows: both per-frame)
        for (Measurement m : rows) {
            if (m.impl == other && m.mode == mode && m.sameSetting(fc) && m.skipped() == null) {
                Measurement.Summary mine = fc.summary(figure);
                Measurement.Summary theirs = m.summary(figure);
                if (mine == null || theirs == null || theirs.median() == 0) {
                    return null;
                }
                return mine.median() / theirs.median();
            }
        }
        return null;
    }

    private static List<Measurement> select(List<Measurement> rows, Predicate<Measurement> which) {
        return rows.stream().filter(which).toList();
    }

    private static String threadsOf(List<Measurement> rows) {
        StringBuilder sb = new StringBuilder();
        for (Impl impl : Impl.values()) {
            rows.stream().filter(m -> m.impl == impl).findFirst().ifPresent(m -> {
                if (!sb.isEmpty()) {
                    sb.append(", ");
                }
                sb.append(impl.label()).append(' ').append(m.threads);
            });
        }
        return sb.toString();
    }

    private static String figure(Measurement m, String figure, java.util.function.DoubleFunction<String> fmt) {
        Measurement.Summary s = m.summary(figure);
        if (s == null) {
            return "-";
        }
        return fmt.apply(s.median()) + " [" + fmt.apply(s.min()) + "-" + fmt.apply(s.max()) + "]";
    }

    private static String median(Measurement m, String figure, java.util.function.DoubleFunction<String> fmt) {
        Measurement.Summary s = m.summary(figure);
        return s == null ? "-" : fmt.apply(s.median());
    }

    static String mb(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    static String micros(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String rate(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    // ------------------------------------------------------------ JSON

    /** One JSON object per line and measurement, then the idle workload's, if it ran. */
    static void json(PrintStream out, List<Measurement> rows, IdleResult idle) {
        for (Measurement m : rows) {
            out.println(jsonLine(m));
        }
        if (idle != null) {
            for (IdleRow row : idle.rows()) {
                out.println(jsonLine(idle, row));
            }
        }
        out.flush();
    }

    /**
     * One row of the idle workload: bytes per connection, open and shutdown
     * times, clean shutdowns at both ends, and with a CPU window the CPU per
     * 1,000 connections ({@code cpu_pct_per_1k_heartbeat} with heartbeats,
     * {@code cpu_pct_per_1k_idle} without); or why it was skipped.
     */
    static String jsonLine(IdleResult idle, IdleRow row) {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "workload", Workload.IDLE.label());
        field(sb, "impl", Impl.FRAMECONN.label());
        number(sb, "connections", row.connections());
        number(sb, "heartbeat_ms", (double) (idle.heartbeats() ? idle.options().heartbeat().toMillis() : 0));
        number(sb, "warmup_connections", idle.options().warmupConnections());
        if (row.skipped() != null) {
            field(sb, "skipped", row.skipped());
            return sb.append('}').toString();
        }
        number(sb, "heap_bytes_per_conn", (double) row.heapPerConnection());
        number(sb, "direct_bytes_per_conn", (double) row.directPerConnection());
        number(sb, "total_bytes_per_conn", (double) row.totalPerConnection());
        number(sb, "open_s", Math.round(row.openNanos() / 1e6) / 1e3);
        number(sb, "shutdown_s", Math.round(row.closeNanos() / 1e6) / 1e3);
        number(sb, "clean_client", row.cleanClient());
        number(sb, "clean_server", row.cleanServer());
        if (row.cpu() != null) {
            String suffix = idle.heartbeats() ? "_heartbeat" : "_idle";
            number(sb, "cpu_window_s", Math.round(row.cpu().windowNanos() / 1e6) / 1e3);
            number(sb, "cpu_pct_per_1k" + suffix, Math.round(row.clientCpuPer1k() * 1e3) / 1e3);
            if (!Double.isNaN(row.serverCpuPer1k())) {
                number(sb, "server_cpu_pct_per_1k" + suffix, Math.round(row.serverCpuPer1k() * 1e3) / 1e3);
            }
            if (idle.heartbeats()) {
                number(sb, "heartbeats_per_s", (double) Math.round(row.cpu().heartbeatsPerSecond()));
            }
        }
        return sb.append('}').toString();
    }

    static String jsonLine(Measurement m) {
        if (m.workload == Workload.TRANSFER) {
            return transferJsonLine(m);
        }
        StringBuilder sb = new StringBuilder("{");
        field(sb, "workload", m.workload.label());
        field(sb, "impl", m.impl.label());
        field(sb, "mode", m.mode.label());
        number(sb, "payload", m.payload);
        number(sb, "connections", m.connections);
        if (m.pinned != null) {
            sb.append(",\"pinned\":").append(m.pinned);
        }
        field(sb, "threads", m.threads);
        if (m.skipped() != null) {
            field(sb, "skipped", m.skipped());
        } else {
            number(sb, "rounds", m.rounds());
            m.series().forEach((figure, values) -> {
                Measurement.Summary s = m.summary(figure);
                number(sb, figure, s.median());
                number(sb, figure + "_min", s.min());
                number(sb, figure + "_max", s.max());
            });
        }
        return sb.append('}').toString();
    }

    /**
     * A transfer row: workload, impl, bytes, then skipped with the reason, or
     * rounds and each figure's median, _min and _max; startup_ms is null for
     * rows that have no startup measurement (all but the frameconn processes).
     */
    static String transferJsonLine(Measurement m) {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "workload", m.workload.label());
        field(sb, "impl", m.impl.label());
        number(sb, "bytes", (double) m.bytes);
        if (m.skipped() != null) {
            field(sb, "skipped", m.skipped());
            return sb.append('}').toString();
        }
        number(sb, "rounds", m.rounds());
        for (String figure : List.of(Measurement.MB_PER_S, Measurement.CPU_S_PER_GIB, Measurement.STARTUP_MS)) {
            Measurement.Summary s = m.summary(figure);
            if (s == null) {
                sb.append(",\"").append(figure).append("\":null");
                continue;
            }
            number(sb, figure, s.median());
            number(sb, figure + "_min", s.min());
            number(sb, figure + "_max", s.max());
        }
        return sb.append('}').toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        sb.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void number(StringBuilder sb, String name, double value) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        sb.append('"').append(name).append("\":");
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            sb.append((long) value);
        } else {
            sb.append(String.format(Locale.ROOT, "%.3f", value));
        }
    }
}
