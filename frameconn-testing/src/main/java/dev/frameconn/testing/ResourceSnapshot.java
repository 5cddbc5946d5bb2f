package dev.frameconn.testing;

import dev.frameconn.buffer.BufferPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What a process holds that a connection can leak: socket descriptors,
 * platform threads and pooled buffers. Take a snapshot before a test, then
 * {@link #assertNoLeaks(Duration)} after it.
 *
 * <p>Guarantees: the check waits (polling, up to the given time) for things
 * that end asynchronously, such as a watchdog thread that stops after the last
 * connection; on failure the {@link AssertionError} names every leaked socket
 * (with its {@code /proc/net} line), every new thread (with its stack) and
 * every pool with buffers outstanding. Threads the JVM starts for itself
 * ({@link #JVM_THREADS}) are not counted. Sockets are read from
 * {@code /proc/self/fd}; where that does not exist (not Linux) they are not
 * checked.
 */
public final class ResourceSnapshot {
    /**
     * Names of threads the JVM, JUnit or a build tool start lazily and keep:
     * the virtual-thread scheduler and pollers, the process reaper, attach,
     * cleaner and compiler threads.
     */
    public static final Pattern JVM_THREADS = Pattern.compile(
            "ForkJoinPool.*|process reaper.*|Attach Listener|Common-Cleaner|Cleaner-\\d+|Signal Dispatcher"
            + "|Notification Thread|Reference Handler|Finalizer|VirtualThread-unparker|.*Poller.*"
            + "|C[12] CompilerThread\\d+|Sweeper thread|surefire-.*|ping-\\d+s|junit-.*|Monitor Ctrl-Break"
            + "|JFR .*|Service Thread|Monitor Deflation Thread|Timer-\\d+|idle-connection-reaper.*");

    private static final Path FDS = Path.of("/proc/self/fd");

    private final Set<String> sockets;
    private final Map<Long, String> threads;
    private final List<BufferPool> pools;
    private final long[] outstanding;
    private final Predicate<String> ignoredThread;

    private ResourceSnapshot(List<BufferPool> pools, Predicate<String> ignoredThread) {
        this.sockets = sockets();
        this.ignoredThread = ignoredThread;
        this.threads = threads(ignoredThread);
        this.pools = pools;
        this.outstanding = new long[pools.size()];
        for (int i = 0; i < pools.size(); i++) {
            outstanding[i] = pools.get(i).outstanding();
        }
    }

    /**
     * Takes a snapshot now, including the outstanding buffers of {@code pools}.
     *
     * @param pools pools whose outstanding buffers are counted
     * @return the snapshot
     */
    public static ResourceSnapshot take(BufferPool... pools) {
        return new ResourceSnapshot(List.of(pools), name -> JVM_THREADS.matcher(name).matches());
    }

    /**
     * Like {@link #take(BufferPool...)}, also ignoring threads whose names {@code ignore} matches.
     *
     * @param ignore matches the names of threads not counted
     * @param pools pools whose outstanding buffers are counted
     * @return the snapshot
     */
    public static ResourceSnapshot take(Pattern ignore, BufferPool... pools) {
        Objects.requireNonNull(ignore, "ignore");
        return new ResourceSnapshot(List.of(pools),
                name -> JVM_THREADS.matcher(name).matches() || ignore.matcher(name).matches());
    }

    /**
     * Socket descriptors open when the snapshot was taken.
     *
     * @return the number of sockets
     */
    public int socketCount() {
        return sockets.size();
    }

    /**
     * Platform threads (not counting {@link #JVM_THREADS}) alive when the snapshot was taken.
     *
     * @return the number of threads
     */
    public int threadCount() {
        return threads.size();
    }

    /**
     * Waits up to {@code timeout} for sockets, threads and buffers to return
     * to the snapshot's state (nothing new; things closed since are fine).
     *
     * @param timeout how long to wait at most
     * @throws AssertionError naming what leaked, if they do not
     */
    public void assertNoLeaks(Duration timeout) {
        String leaks = awaitLeaks(timeout);
        if (!leaks.isEmpty()) {
            throw new AssertionError("resources leaked (waited " + timeout + "):" + leaks);
        }
    }

    /**
     * Waits up to {@code timeout} and describes what is still leaked; empty if nothing.
     *
     * @param timeout how long to wait at most
     * @return the description of the leaks, or an empty string
     */
    public String awaitLeaks(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String leaks = leaks();
            if (leaks.isEmpty() || System.nanoTime() - deadline >= 0) {
                return leaks;
            }
            // polled, not guessed: asynchronous endings (threads, closes) have no event to wait on
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * What is leaked right now, without waiting; empty if nothing.
     *
     * @return the description of the leaks, or an empty string
     */
    public String leaks() {
        StringBuilder out = new StringBuilder();
        Set<String> nowSockets = sockets();
        nowSockets.removeAll(sockets);
        if (!nowSockets.isEmpty()) {
            out.append("\n  sockets opened and not closed: ").append(nowSockets.size());
            for (String socket : nowSockets) {
                out.append("\n    ").append(socket).append(describeSocket(socket));
            }
        }
        Map<Long, String> nowThreads = threads(ignoredThread);
        nowThreads.keySet().removeAll(threads.keySet());
        if (!nowThreads.isEmpty()) {
            out.append("\n  threads started and still alive: ").append(nowThreads.size());
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                if (nowThreads.containsKey(e.getKey().threadId())) {
                    out.append("\n    \"").append(e.getKey().getName()).append("\" ").append(e.getKey().getState());
                    StackTraceElement[] stack = e.getValue();
                    for (int i = 0; i < Math.min(8, stack.length); i++) {
                        out.append("\n        at ").append(stack[i]);
                    }
                }
            }
        }
        for (int i = 0; i < pools.size(); i++) {
            long now = pools.get(i).outstanding();
            if (now != outstanding[i]) {
                out.append("\n  buffers outstanding: ").append(now).append(" (was ").append(outstanding[i])
                        .append(") in ").append(pools.get(i));
            }
        }
        return out.toString();
    }

    /** Socket inodes ({@code socket:[123]}) of this process; empty where /proc is missing. */
    static Set<String> sockets() {
        Set<String> out = new TreeSet<>();
        if (!Files.isDirectory(FDS)) {
            return out;
        }
        try (var fds = Files.list(FDS)) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        out.add(target);
                    }
                } catch (IOException gone) {
                    // closed while listing, e.g. the listing's own descriptor
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** The {@code /proc/net} lines of a socket, for a leak message. */
    private static String describeSocket(String socket) {
        String inode = socket.substring("socket:[".length(), socket.length() - 1);
        Pattern word = Pattern.compile(".*\\s" + Pattern.quote(inode) + "\\s.*");
        StringBuilder out = new StringBuilder();
        for (String table : new String[] {"tcp", "tcp6", "unix"}) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/net", table))) {
                    if (word.matcher(line + " ").matches()) {
                        out.append(' ').append(table).append(": ").append(line.trim());
                    }
                }
            } catch (IOException e) {
                // table missing: nothing to add
            }
        }
        return out.toString();
    }

    private static Map<Long, String> threads(Predicate<String> ignored) {
        Map<Long, String> out = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !ignored.test(t.getName())) {
                out.put(t.threadId(), t.getName());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>(threads.values());
        return "ResourceSnapshot[sockets=" + sockets.size() + ", threads=" + names + "]";
    }
}
