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
            List<String> notes) {
        out.println("frameconn bench " + String.join(" ", o.args()));
        out.printf(Locale.ROOT, "  %d warm-up + %d measured rounds per setting, within each round every "
                        + "contender once, in the order below; all in one JVM%n",
                o.warmup(), o.rounds());
        if (o.connectionBytes() > 0) {
            out.printf(Locale.ROOT, "  rounds: one-way and ping-pong %d ms each; connections %d MB per round, "
                            + "split evenly over the connections%n",
                    o.durationNanos() / 1_000_000, o.connectionBytes() / 1_000_000);
        } else {
            out.printf(Locale.ROOT, "  rounds: %d ms each (senders stop then; the round ends when the last "
                    + "receiver has every frame)%n", o.durationNanos() / 1_000_000);
        }
        for (String line : header) {
            out.println(line);
        }
        out.println("figures: median [min-max] over the measured rounds; MB/s = 10^6 payload bytes per second");
        out.println("modes:   per-frame = frameconn writeFrame / Netty writeAndFlush, once per frame;");
        out.println("         batch = frameconn batch API (64 frames, at most 8 MiB) / Netty flush every 64 frames"
                + " / raw: the same bytes in 1 MiB writes, no framing");
        oneWay(out, rows);
        pingPong(out, rows);
        connections(out, rows);
        if (!notes.isEmpty()) {
            out.println();
            out.println("notes:");
            for (String note : notes) {
                out.println("  " + note);
            }
        }
    }

    private static void oneWay(PrintStream out, List<Measurement> rows) {
        List<Measurement> mine = select(rows, m -> m.workload == Workload.ONE_WAY);
        if (mine.isEmpty()) {
            return;
        }
        out.println();
        out.println("ONE-WAY, 1 connection (threads: " + threadsOf(mine) + ")");
        out.printf("%-9s %-12s %-10s %-28s %s%n", "payload", "impl", "mode", "MB/s", "frames/s");
        int last = -1;
        for (Measurement m : mine) {
            String payload = m.payload == last ? "" : size(m.payload);
            last = m.payload;
            out.printf("%-9s %-12s %-10s %-28s %s%n", payload, m.impl.label(), m.mode.label(),
                    figure(m, Measurement.MB_PER_S, Report::mb), median(m, Measurement.FRAMES_PER_S, Report::rate));
        }
        out.println();
        out.println("one-way ratios: frameconn MB/s ÷ other MB/s, medians (> 1: frameconn faster; "
                + "raw is always its batch row)");
        ratioHeader(out, "payload");
        last = -1;
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
        out.printf("%-7s %-12s %-10s %-24s %-24s %s%n", "pinned", "impl", "mode", "p50 µs", "p99 µs",
                "round trips/s");
        for (Measurement m : mine) {
            String pinned = Boolean.TRUE.equals(m.pinned) ? "yes" : "no";
            if (m.skipped() != null) {
                out.printf("%-7s %-12s %-10s skipped: %s%n", pinned, m.impl.label(), m.mode.label(), m.skipped());
                continue;
            }
            out.printf("%-7s %-12s %-10s %-24s %-24s %s%n", pinned, m.impl.label(), m.mode.label(),
                    figure(m, Measurement.P50_US, Report::micros), figure(m, Measurement.P99_US, Report::micros),
                    median(m, Measurement.ROUND_TRIPS_PER_S, Report::rate));
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
        out.println("spread = slowest connection's MB/s ÷ fastest's, each over the round's start to its last frame "
                + "(0: a connection got nothing through)");
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
        Mode mode = other == Impl.RAW ? Mode.BATCH : fc.mode;
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

    /** One JSON object per line and measurement. */
    static void json(PrintStream out, List<Measurement> rows) {
        for (Measurement m : rows) {
            out.println(jsonLine(m));
        }
        out.flush();
    }

    static String jsonLine(Measurement m) {
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
