package dev.frameconn;

import dev.frameconn.wire.FrameHeader;
import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Opt-in detection of frames that were garbage-collected without being closed.
 *
 * <p>Off by default, because it records a stack trace per frame. Switch it on
 * with {@code -Ddev.frameconn.leakDetection=true} or {@link #enable()}. While on,
 * every frame read remembers where it was read; if it becomes unreachable while
 * still open, a {@link Leak} goes to the listener and {@link #leaksReported()}
 * goes up. Its pooled buffer is not recovered (the
 * application may still hold a view of it); the memory is freed by the garbage
 * collector, the pool merely loses the buffer.
 *
 * <p>Detection needs a garbage collection to happen; a leak shows up some time
 * after it happened, not at once.
 *
 * <h2>Where reports go</h2>
 * By default to the {@link System.Logger} named {@value #LOGGER_NAME}, at level
 * {@code WARNING}, with the {@link Leak} (whose stack trace says where the frame
 * was read) as the thrown object: into the application's logging, whatever it
 * plugs in behind {@code System.Logger} (java.util.logging by default, which
 * prints to standard error). A listener that throws is logged on the same logger
 * at {@code ERROR}; the cleaner thread carries on. Tests and tools that must act
 * on leaks count {@link #leaksReported()} or set a listener, rather than reading
 * log output.
 */
public final class LeakDetector {
    /** The system property that switches detection on at start-up. */
    public static final String PROPERTY = "dev.frameconn.leakDetection";

    /** The name of the {@link System.Logger} that reports go to by default. */
    public static final String LOGGER_NAME = "dev.frameconn.LeakDetector";

    /** One leaked frame: its type, length, and where it was read (as the stack trace). */
    public static final class Leak extends RuntimeException {
        Leak(int type, int length) {
            super("frameconn: frame type=" + FrameHeader.typeToString(type) + " length=" + length
                    + " was garbage-collected without close(); it was read here:");
        }
    }

    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong REPORTED = new AtomicLong();
    private static volatile boolean enabled = Boolean.getBoolean(PROPERTY);
    private static final Consumer<Leak> LOG_LISTENER = LeakDetector::log;
    private static volatile Consumer<Leak> listener = LOG_LISTENER;

    private LeakDetector() {}

    /** Switches detection on for frames read from now on. */
    public static void enable() {
        enabled = true;
    }

    /** Switches detection off for frames read from now on. */
    public static void disable() {
        enabled = false;
    }

    /**
     * True while frames are being tracked.
     *
     * @return whether leak detection is on
     */
    public static boolean isEnabled() {
        return enabled;
    }

    /**
     * Leaks reported since the process started; a leak counts once its report was handed to the listener.
     *
     * @return the number of leaks reported
     */
    public static long leaksReported() {
        return REPORTED.get();
    }

    /**
     * Where reports go instead of the log; the listener runs on a cleaner thread
     * and must not block.
     *
     * @param newListener receives each leak report, not null
     */
    public static void setListener(Consumer<Leak> newListener) {
        listener = Objects.requireNonNull(newListener, "listener");
    }

    /** Sends reports to the {@link System.Logger} {@value #LOGGER_NAME} again, as by default. */
    public static void resetListener() {
        listener = LOG_LISTENER;
    }

    private static void log(Leak leak) {
        Log.LOGGER.log(System.Logger.Level.WARNING, leak.getMessage(), leak);
    }

    /** Holds the logger: looked up at the first report, not when the first frame is read. */
    private static final class Log {
        static final System.Logger LOGGER = System.getLogger(LOGGER_NAME);
    }

    /** Starts tracking {@code frame}; returns null when detection is off. */
    static Tracker track(Frame frame, int type, int length) {
        if (!enabled) {
            return null;
        }
        Tracker tracker = new Tracker(new Leak(type, length));
        tracker.cleanable = CLEANER.register(frame, tracker);
        return tracker;
    }

    /** The cleaning action: must not refer to the frame, or it would never become unreachable. */
    static final class Tracker implements Runnable {
        private final Leak origin;
        private volatile boolean closed;
        private Cleaner.Cleanable cleanable;

        Tracker(Leak origin) {
            this.origin = origin;
        }

        /** The frame was closed: nothing to report. */
        void closed() {
            closed = true;
            cleanable.clean();
        }

        @Override
        public void run() {
            if (!closed) {
                try {
                    listener.accept(origin);
                } catch (RuntimeException e) {
                    // a broken listener must not kill the cleaner thread
                    Log.LOGGER.log(System.Logger.Level.ERROR, "frameconn: the leak listener failed", e);
                } finally {
                    REPORTED.incrementAndGet(); // after the report: who sees the count can see the report
                }
            }
        }
    }
}
