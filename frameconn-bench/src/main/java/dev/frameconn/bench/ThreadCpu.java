package dev.frameconn.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU time some platform threads use from the moment each is added: what
 * a spinning reader costs beside a parking one. Thread-safe; a thread that
 * has ended by the time of reading counts what it used until it was last
 * seen, which is why callers read before joining.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final List<long[]> seen = new ArrayList<>(); // {thread id, cpu nanos when added}

    /** Starts counting {@code thread}'s CPU time; call it on that thread. */
    synchronized void add(Thread thread) {
        long now = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
        seen.add(new long[] {thread.threadId(), now});
    }

    /** CPU nanoseconds all added threads used since they were added, or -1 if the JVM cannot tell. */
    synchronized long nanosSinceAdded() {
        long total = 0;
        for (long[] t : seen) {
            long now = THREADS.getThreadCpuTime(t[0]);
            if (t[1] < 0 || now < 0) {
                return -1;
            }
            total += now - t[1];
        }
        return total;
    }
}
