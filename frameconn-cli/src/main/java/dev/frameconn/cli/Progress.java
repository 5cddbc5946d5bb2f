package dev.frameconn.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A one-line progress bar on standard error: bytes so far, rate, and, when the
 * total is known, percentage and ETA. Redrawn in place ({@code \r}) a few times
 * a second by its own virtual thread; {@link #finish()} ends the line. Counting
 * ({@link #add}) is cheap and works whether the bar is drawn or not.
 */
final class Progress implements AutoCloseable {
    private static final long REDRAW_MILLIS = 250;

    private final LongAdder bytes = new LongAdder();
    private final long total;
    private final PrintWriter err;
    private final String label;
    private final long start = System.nanoTime();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread drawer;
    private int lastWidth;

    /**
     * @param total the size if known, else -1
     * @param draw whether to draw at all; if false only counts
     */
    Progress(String label, long total, PrintWriter err, boolean draw) {
        this.label = label;
        this.total = total;
        this.err = err;
        this.drawer = draw ? Thread.ofVirtual().name("frameconn-progress").start(this::drawLoop) : null;
    }

    /** True if standard error is a terminal (Linux: fd 2 is a tty or a pseudo-terminal). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false; // no /proc: do not guess; --progress=always forces the bar
        }
    }

    void add(long n) {
        bytes.add(n);
    }

    long bytes() {
        return bytes.sum();
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private void drawLoop() {
        try {
            while (!stop.await(REDRAW_MILLIS, TimeUnit.MILLISECONDS)) {
                draw();
            }
        } catch (InterruptedException e) {
            // finish() ends us
        }
    }

    private void draw() {
        long done = bytes.sum();
        double secs = Math.max(seconds(), 1e-9);
        double rate = done / secs;
        StringBuilder line = new StringBuilder(label).append(' ').append(Sizes.format(done));
        if (total >= 0) {
            line.append(" / ").append(Sizes.format(total));
            line.append(String.format(Locale.ROOT, " %3.0f%%", total == 0 ? 100.0 : 100.0 * done / total));
        }
        line.append(String.format(Locale.ROOT, "  %s/s", Sizes.format((long) rate)));
        if (total >= 0 && rate > 0 && done < total) {
            long eta = (long) ((total - done) / rate);
            line.append(String.format(Locale.ROOT, "  ETA %d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
        }
        String text = line.toString();
        int pad = Math.max(0, lastWidth - text.length());
        lastWidth = text.length();
        err.print("\r" + text + " ".repeat(pad));
        err.flush();
    }

    /** Draws the final state and ends the line (if drawing); idempotent. */
    void finish() {
        if (drawer != null && stop.getCount() > 0) {
            stop.countDown();
            try {
                drawer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            draw();
            err.println();
            err.flush();
        }
        stop.countDown();
    }

    @Override
    public void close() {
        finish();
    }
}
