package dev.frameconn.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM's line protocol from the parent's side: its output lines, read
 * on a daemon thread, and its command input. A line that is not the one
 * expected is kept for failure messages. Closing ends the child's input.
 */
final class ChildLines implements AutoCloseable {
    private final String what;
    private final long timeoutNanos;
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<String> errors = new ArrayList<>();
    private final OutputStream commands;

    /** Reads {@code child}'s output; {@code what} names it in messages, {@code timeoutNanos} bounds each wait. */
    ChildLines(Process child, String what, long timeoutNanos) {
        this.what = what;
        this.timeoutNanos = timeoutNanos;
        commands = child.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon().name("child-output").start(() -> {
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    queue.add(line);
                }
            } catch (IOException e) {
                queue.add("ERROR reading the child's output: " + e);
            }
            queue.add("EOF");
        });
    }

    /** Waits for the next line starting with {@code prefix} and returns the rest; fails on EOF or the timeout. */
    String expect(String prefix, String event) throws InterruptedException {
        while (true) {
            String line = queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new BenchmarkFailure(what + " did not report " + event + " within "
                        + timeoutNanos / 1_000_000_000 + " s" + errors());
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
            if (line.equals("EOF")) {
                throw new BenchmarkFailure(what + " ended before " + event + errors());
            }
            errors.add(line);
        }
    }

    /** What the child has reported besides the expected lines, for failure messages. */
    String errors() {
        String line;
        while ((line = queue.poll()) != null) {
            errors.add(line);
        }
        return errors.isEmpty() ? "" : "; " + what + " said: " + String.join(" | ", errors);
    }

    /** Sends one command line. */
    void send(String command) throws IOException {
        commands.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
    }

    @Override
    public void close() {
        try {
            commands.close(); // end of input: the child closes everything and exits
        } catch (IOException ignored) {
            // the child is gone already
        }
    }
}
