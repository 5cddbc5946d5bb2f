package dev.frameconn.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Entry point of {@code bin/frameconn bench}: the end-to-end benchmark, or,
 * with {@code jmh} as the first argument, the JMH microbenchmarks.
 *
 * <p>Exit status: 0 done, 1 the benchmark failed (a receiver's counts were
 * wrong, a round hung, an implementation threw), 2 bad arguments.
 */
public final class Main {
    private Main() {}

    /** Runs the benchmark and exits with its status. */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the benchmark with {@code args}; results to {@code out}, progress and errors to {@code err}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
            out.print(BenchOptions.USAGE);
            return 0;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("frameconn bench: " + e.getMessage());
            err.print(BenchOptions.USAGE);
            return 2;
        }
        long t0 = System.nanoTime();
        List<String> header = new ArrayList<>(Machine.describe());
        String loadBefore = Machine.loadAverage();
        List<String> notes = new ArrayList<>();
        if (Runtime.version().feature() >= 24 && ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .noneMatch(a -> a.equals("--sun-misc-unsafe-memory-access=allow"))) {
            notes.add("this JVM lacks --sun-misc-unsafe-memory-access=allow, which Netty needs on JDK 24+ "
                    + "for its fast paths (bin/frameconn bench adds it)");
        }
        if (!options.pinnedChild()) {
            err.println("frameconn bench: " + String.join(" ", args));
            for (String line : header) {
                err.println("  " + line);
            }
        }
        List<Measurement> rows;
        IdleResult idle;
        List<String> transferInfo;
        try (Runner runner = new Runner(options, err)) {
            header.add("netty:   " + NettyTransport.describe(options.nettyAllocator()));
            rows = runner.run();
            idle = runner.idle();
            transferInfo = runner.transferInfo();
            notes.addAll(runner.notes());
        } catch (BenchmarkFailure e) {
            err.println("frameconn bench: FAILED: " + e.getMessage());
            e.printStackTrace(err);
            return 1;
        } catch (Exception e) {
            err.println("frameconn bench: FAILED: " + e);
            e.printStackTrace(err);
            return 1;
        }
        if (options.pinnedChild()) {
            PinnedChild.print(out, rows, notes);
            return 0;
        }
        String loadAfter = Machine.loadAverage();
        if (loadBefore != null) {
            header.add("load:    " + loadBefore + " (1/5/15-min load average) before, " + loadAfter + " after");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        header.add(String.format(Locale.ROOT, "run:     %.0f s", seconds));
        if (options.json()) {
            Report.json(out, rows, idle);
        } else {
            Report.table(out, options, header, rows, idle, notes, transferInfo);
        }
        out.flush();
        err.printf(Locale.ROOT, "frameconn bench: done in %.1f s%n", seconds);
        return 0;
    }
}
