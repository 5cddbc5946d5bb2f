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
 * still open, a {@link Leak} goes to the listener (by default: standard error)
 * and {@link #leaksReported()} goes up. Its pooled buffer is not recovered (the
 * application may still hold a view of it); the memory is freed by the garbage
 * collector, the pool merely loses the buffer.
 *
 * <p>Detection needs a garbage collection to happen; a leak shows up some time
 * after it happened, not at once.
 */
public final class LeakDetector {
    /** The system property that switches detection on at start-up. */
    public static final String PROPERTY = "dev.frameconn.leakDetection";

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
    private static volatile Consumer<Leak> listener = LeakDetector::printToStandardError;

    private LeakDetector() {}

    /** Switches detection on for frames read from now on. */
    public static void enable() {
        enabled = true;
    }

    /** Switches detection off for frames read from now on. */
    public static void disable() {
        enabled = false;
    }

    /** True while frames are being tracked. */
    public static boolean isEnabled() {
        return enabled;
    }

    /** Leaks reported since the process started. */
    public static long leaksReported() {
        return REPORTED.get();
    }

    /** Where reports go; the listener runs on a cleaner thread and must not block. */
    public static void setListener(Consumer<Leak> newListener) {
        listener = Objects.requireNonNull(newListener, "listener");
    }

    private static void printToStandardError(Leak leak) {
        leak.printStackTrace();
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
                REPORTED.incrementAndGet();
                try {
                    listener.accept(origin);
                } catch (RuntimeException e) {
                    e.printStackTrace(); // a broken listener must not kill the cleaner thread
                }
            }
        }
    }
}
