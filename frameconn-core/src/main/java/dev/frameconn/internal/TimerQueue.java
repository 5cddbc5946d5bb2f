package dev.frameconn.internal;

import dev.frameconn.time.Ticker;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one timer structure of a process, per clock: read/write deadlines
 * ({@link Deadlines}), heartbeat pacing and TLS handshake timeouts all queue
 * here.
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li><b>Cost per timer, not per connection.</b> The timers sit in an indexed
 *       binary min-heap keyed by deadline: scheduling, rescheduling and
 *       cancelling cost O(log n) under one short lock, firing one timer
 *       O(log n); nothing ever walks all timers. Deadlines are compared as
 *       differences, like {@link System#nanoTime()} values.</li>
 *   <li><b>One thread per clock, only while needed.</b> A platform daemon thread
 *       named {@value #THREAD_NAME} starts with the first queued timer and ends
 *       when none is left, so an idle process has no extra thread.</li>
 *   <li><b>Order.</b> Due timers fire in deadline order, one at a time, on that
 *       thread, with the clock's time as the thread read it ({@code now} &gt;=
 *       the deadline).</li>
 *   <li><b>The injectable clock.</b> The thread sleeps until the earliest
 *       deadline by the {@link Ticker}. A ticker other than
 *       {@link Ticker#system()} (a manual clock in tests) can jump without
 *       telling anyone, so under it the thread also looks every
 *       {@link #MANUAL_POLL_NANOS} of real time; {@link #wakeup()} makes it look
 *       at once.</li>
 * </ul>
 *
 * <h2>Actions must not block</h2>
 * An {@link Action} runs on the timer thread, outside the queue's lock (so it
 * may schedule, reschedule or cancel any timer, its own included). It must not
 * block: it delays every other timer of the clock. Taking a lock that is only
 * ever held briefly is fine; I/O, closing a socket or waiting is not: wrap such
 * work in {@link #offThread(Runnable)}, which starts it on a virtual thread of its
 * own. An action that throws is reported to the thread's uncaught-exception
 * handler and the thread goes on with the other timers.
 *
 * <h2>A timer's states</h2>
 * <pre>
 *   IDLE --schedule/reschedule--&gt; QUEUED --due--&gt; (action runs) IDLE
 *   QUEUED --cancel--&gt; IDLE          any --close--&gt; CLOSED (reschedule refused)
 * </pre>
 * {@link Timer#cancel()} and {@link Timer#close()} stop a queued timer from
 * firing. They cannot stop an action that the timer thread has already taken
 * off the queue (it may be running right now, as with
 * {@link java.util.concurrent.Future#cancel(boolean) Future.cancel(false)}); an
 * action that must not act late checks its owner's state, and
 * {@link Timer#close()} makes sure such an action cannot queue the timer again.
 */
public final class TimerQueue {
    /** The name of the timer thread (tests look for it). */
    public static final String THREAD_NAME = "frameconn-watchdog";
    /** Real-time polling period under a manual clock: 5 ms. */
    static final long MANUAL_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final int INITIAL_CAPACITY = 64;
    private static final TimerQueue SYSTEM = new TimerQueue(Ticker.system());
    // weak both ways: a queue refers to its ticker, and a test's manual ticker must not live forever
    private static final Map<Ticker, WeakReference<TimerQueue>> OTHERS = new WeakHashMap<>();

    /**
     * What a timer does when it is due. Runs on the timer thread and must not
     * block (see the class comment).
     */
    @FunctionalInterface
    public interface Action {
        /**
         * Does the timer's work, on the timer thread.
         *
         * @param timer the timer that fired, now idle: the action may reschedule it
         * @param now the clock's time when the timer thread found it due
         */
        void fire(Timer timer, long now);
    }

    private final Ticker ticker;
    private final boolean manual;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Timer[] heap = new Timer[INITIAL_CAPACITY];
    private int size;
    private Thread thread;

    private TimerQueue(Ticker ticker) {
        this.ticker = ticker;
        this.manual = !isSystem(ticker);
    }

    /**
     * The queue of {@code ticker}: one per clock, so that every timer on one clock
     * shares one thread.
     *
     * @param ticker the clock
     * @return its queue
     */
    public static TimerQueue of(Ticker ticker) {
        Objects.requireNonNull(ticker, "ticker");
        if (isSystem(ticker)) {
            return SYSTEM;
        }
        synchronized (OTHERS) { // no I/O inside: a plain monitor is fine here
            WeakReference<TimerQueue> ref = OTHERS.get(ticker);
            TimerQueue q = ref == null ? null : ref.get();
            if (q == null) {
                q = new TimerQueue(ticker);
                OTHERS.put(ticker, new WeakReference<>(q));
            }
            return q;
        }
    }

    /**
     * The clock the deadlines are read on.
     *
     * @return the ticker this queue was made for
     */
    public Ticker ticker() {
        return ticker;
    }

    /**
     * A timer for {@code action}, not queued yet: for owners that arm it later
     * (with {@link Timer#reschedule} or {@link Timer#rescheduleIfEarlier}).
     *
     * @param action what to do when it is due
     * @return the idle timer
     */
    public Timer newTimer(Action action) {
        return new Timer(this, Objects.requireNonNull(action, "action"));
    }

    /**
     * Queues {@code action} to run once the clock reaches {@code deadlineNanos}.
     *
     * @param deadlineNanos when, in ticker time; a time already past fires at once
     * @param action what to do then; must not block
     * @return the timer, to cancel or reschedule it
     */
    public Timer schedule(long deadlineNanos, Action action) {
        Timer t = newTimer(action);
        t.reschedule(deadlineNanos);
        return t;
    }

    /**
     * An action that runs {@code task} on a new virtual thread, for work that may
     * block (closing a socket, calling back into user code).
     *
     * @param task the work
     * @return the action
     */
    public static Action offThread(Runnable task) {
        Objects.requireNonNull(task, "task");
        return (timer, now) -> Thread.ofVirtual().name("frameconn-timeout").start(task);
    }

    /** Makes the timer thread look at the clock now (a test that moved a manual clock). */
    public void wakeup() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The number of queued timers, for tests and monitoring.
     *
     * @return how many timers are queued now
     */
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A timer: at most one queue entry, re-armed as often as its owner likes.
     * Thread-safe.
     */
    public static final class Timer {
        private static final int IDLE = -1;
        private static final int CLOSED = -2;

        private final TimerQueue queue;
        private final Action action;
        // guarded by queue.lock: the heap slot, or IDLE / CLOSED
        private int index = IDLE;
        private long deadline;

        private Timer(TimerQueue queue, Action action) {
            this.queue = queue;
            this.action = action;
        }

        /**
         * Queues this timer for {@code deadlineNanos}, whether it was queued (for
         * another time) or not.
         *
         * @param deadlineNanos when, in ticker time
         * @return false if the timer is closed (nothing queued)
         */
        public boolean reschedule(long deadlineNanos) {
            return queue.arm(this, deadlineNanos, false);
        }

        /**
         * Makes sure this timer fires no later than {@code deadlineNanos}: queues it
         * if it was not queued, moves it earlier if it was queued for later, and
         * leaves it if it was queued for that time or earlier. Concurrent calls
         * end with the earliest of their times.
         *
         * @param deadlineNanos the latest time it may fire, in ticker time
         * @return false if the timer is closed (nothing queued)
         */
        public boolean rescheduleIfEarlier(long deadlineNanos) {
            return queue.arm(this, deadlineNanos, true);
        }

        /**
         * Takes this timer off the queue; it can be queued again.
         *
         * @return true if it was queued
         */
        public boolean cancel() {
            return queue.disarm(this, false);
        }

        /** Takes this timer off the queue for good: later reschedules are refused. */
        public void close() {
            queue.disarm(this, true);
        }

        /**
         * Whether the timer is queued.
         *
         * @return true while the timer is queued
         */
        public boolean isScheduled() {
            queue.lock.lock();
            try {
                return index >= 0;
            } finally {
                queue.lock.unlock();
            }
        }

        /**
         * The time the timer is queued for.
         *
         * @return its deadline in ticker time; meaningless unless {@link #isScheduled()}
         */
        public long deadlineNanos() {
            queue.lock.lock();
            try {
                return deadline;
            } finally {
                queue.lock.unlock();
            }
        }
    }

    // identity: Ticker.system() is a singleton, and only that instance tells the real clock
    @SuppressWarnings("ReferenceEquality")
    private static boolean isSystem(Ticker ticker) {
        return ticker == Ticker.system();
    }

    // ---------------------------------------------------------------- queue operations

    private boolean arm(Timer t, long deadlineNanos, boolean onlyEarlier) {
        lock.lock();
        try {
            int i = t.index;
            if (i == Timer.CLOSED) {
                return false;
            }
            if (i == Timer.IDLE) {
                t.deadline = deadlineNanos;
                add(t);
            } else if (deadlineNanos - t.deadline < 0) {
                t.deadline = deadlineNanos;
                siftUp(i, t);
            } else if (!onlyEarlier && deadlineNanos != t.deadline) {
                t.deadline = deadlineNanos;
                siftDown(i, t);
            }
            if (heap[0] == t) {
                // the earliest deadline moved: the thread may sleep for too long otherwise
                if (thread == null) {
                    thread = Thread.ofPlatform().daemon().name(THREAD_NAME).unstarted(this::run);
                    thread.start();
                } else {
                    changed.signal();
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean disarm(Timer t, boolean close) {
        lock.lock();
        try {
            int i = t.index;
            boolean wasQueued = i >= 0;
            if (wasQueued) {
                removeAt(i);
            }
            if (close) {
                t.index = Timer.CLOSED;
            } else if (i != Timer.CLOSED) {
                t.index = Timer.IDLE;
            }
            if (wasQueued && size == 0) {
                changed.signal(); // the last timer went: let the thread end now, not at its deadline
            }
            // any other removed head only makes the thread wake early, find nothing due and sleep again
            return wasQueued;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the thread

    private void run() {
        lock.lock();
        try {
            while (true) {
                if (size == 0) {
                    thread = null;
                    return;
                }
                long now = ticker.nanoTime();
                Timer head = heap[0];
                long wait = head.deadline - now;
                if (wait > 0) {
                    awaitQuietly(manual ? Math.min(wait, MANUAL_POLL_NANOS) : wait);
                    continue;
                }
                removeAt(0);
                head.index = Timer.IDLE;
                lock.unlock();
                try {
                    head.action.fire(head, now);
                } catch (Throwable e) {
                    // one owner's bug must not stop every other timer of the clock
                    Thread self = Thread.currentThread();
                    self.getUncaughtExceptionHandler().uncaughtException(self, e);
                } finally {
                    lock.lock();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // run(), the only caller, loops: after waking it re-reads the size and the head's deadline
    @SuppressWarnings("WaitNotInLoop")
    private void awaitQuietly(long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            // nobody interrupts this thread on purpose; keep going
        }
    }

    // ---------------------------------------------------------------- the heap (lock held)

    private void add(Timer t) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        siftUp(size++, t);
    }

    private void removeAt(int i) {
        Timer removed = heap[i];
        int last = --size;
        Timer moved = heap[last];
        heap[last] = null;
        if (i != last) {
            siftDown(i, moved);
            if (heap[i] == moved) {
                siftUp(i, moved);
            }
        }
        removed.index = Timer.IDLE;
        // give memory back after a crowd of connections has gone
        if (heap.length > INITIAL_CAPACITY && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, heap.length / 2);
        }
    }

    private void siftUp(int i, Timer t) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (t.deadline - p.deadline >= 0) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void siftDown(int i, Timer t) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Timer c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].deadline - c.deadline < 0) {
                child = right;
                c = heap[right];
            }
            if (c.deadline - t.deadline >= 0) {
                break;
            }
            heap[i] = c;
            c.index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
    }
}
