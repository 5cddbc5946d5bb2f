package dev.frameconn.heartbeat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/** Makes virtual threads and remembers them, so a test can check that none outlives its connection. */
public final class TrackingThreadFactory implements ThreadFactory {
    private final ThreadFactory delegate = Thread.ofVirtual().name("test-heartbeat-", 0).factory();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override
    public Thread newThread(Runnable r) {
        Thread t = delegate.newThread(r);
        threads.add(t);
        return t;
    }

    /** Threads made so far. */
    public List<Thread> threads() {
        return threads;
    }

    /** Threads still alive. */
    public List<Thread> alive() {
        return threads.stream().filter(Thread::isAlive).toList();
    }
}
