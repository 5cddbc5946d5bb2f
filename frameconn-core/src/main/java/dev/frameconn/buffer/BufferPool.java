package dev.frameconn.buffer;

import dev.frameconn.LeakDetector;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool of direct payload buffers in power-of-two size classes.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #acquire(int)} returns a buffer whose position is 0 and whose
 *       limit is exactly the requested length (its capacity may be larger).</li>
 *   <li>A request is rounded up to the next power of two; requests below the
 *       smallest class are served from the smallest class, because small frames
 *       are the hot case and must not allocate. Each class keeps a bounded
 *       number of free buffers; beyond that, released buffers are dropped.</li>
 *   <li>Requests above the largest class are served by a plain heap allocation
 *       and dropped on release, so the pool never retains them.</li>
 *   <li>Length 0 is served by one shared empty buffer and costs nothing.</li>
 *   <li>The pool is thread-safe, and lock-free unless checked (see below). It
 *       never hands the same buffer to two owners, provided every buffer is released at most once and only to the pool
 *       it came from: that is the caller's side of the contract.</li>
 *   <li>In a <em>checked</em> pool, a release that breaks that contract throws
 *       {@link IllegalStateException} and changes nothing: a buffer this pool has
 *       not lent, or has taken back already (released twice, foreign, or a slice or
 *       duplicate of a pooled buffer: a view shares the memory, so pooling it would
 *       give that memory two owners). A pool is checked if {@link LeakDetector} was on
 *       when the pool was made ({@code -Ddev.frameconn.leakDetection=true}); it then
 *       keeps an identity set of the buffers it has lent, behind a lock, which
 *       allocates nothing per buffer but does hold every lent buffer, so a leaked one
 *       stays in memory (and counted in {@link #outstanding()}) rather than being
 *       collected. A buffer released twice after it was handed out again in between
 *       cannot be told from its new owner's: the error then surfaces at the second
 *       owner's release. An unchecked pool checks nothing on release: a release is on
 *       every frame's path, and the checked pool is what the tests run with.</li>
 * </ul>
 *
 * <p>{@link #outstanding()} counts acquired buffers not yet released, which is
 * what leak checks compare before and after a test.
 */
public final class BufferPool {
    /** Smallest class of the default pool: 2^6 = 64 bytes. */
    public static final int DEFAULT_MIN_SHIFT = 6;
    /** Largest class of the default pool: 2^24 = 16 MiB, the default maximum payload. */
    public static final int DEFAULT_MAX_SHIFT = 24;
    /** Free buffers kept per class at most, for small classes. */
    public static final int DEFAULT_MAX_FREE_PER_CLASS = 16;
    /** Bytes kept free per class at most, which limits the large classes (16 MiB keeps 1). */
    public static final long DEFAULT_MAX_FREE_BYTES_PER_CLASS = 16L << 20;

    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);
    private static final BufferPool SHARED = new BufferPool(
            DEFAULT_MIN_SHIFT, DEFAULT_MAX_SHIFT, DEFAULT_MAX_FREE_PER_CLASS, DEFAULT_MAX_FREE_BYTES_PER_CLASS);

    private final int minShift;
    private final int maxShift;
    private final SizeClass[] classes;
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();
    /** The buffers lent and not yet taken back, in a checked pool; null otherwise. */
    private final Lent lent;

    /**
     * Creates a pool with classes 2^minShift … 2^maxShift; it is checked (see
     * above) if {@link LeakDetector#isEnabled()} is true now.
     *
     * @param minShift smallest class exponent, 3..30
     * @param maxShift largest class exponent, minShift..30
     * @param maxFreePerClass free buffers kept per class at most, 0 or more
     * @param maxFreeBytesPerClass free bytes kept per class at most; a class
     *        always keeps at least one free buffer if maxFreePerClass > 0
     */
    public BufferPool(int minShift, int maxShift, int maxFreePerClass, long maxFreeBytesPerClass) {
        this(minShift, maxShift, maxFreePerClass, maxFreeBytesPerClass, LeakDetector.isEnabled());
    }

    /**
     * Creates a pool with classes 2^minShift … 2^maxShift, checked or not as asked.
     *
     * @param checked whether to keep the set of lent buffers that lets every double or
     *        foreign release be detected (see above)
     * @see #BufferPool(int, int, int, long)
     * @param minShift smallest class exponent, 3..30
     * @param maxShift largest class exponent, minShift..30
     * @param maxFreePerClass free buffers kept per class at most, 0 or more
     * @param maxFreeBytesPerClass free bytes kept per class at most; a class always keeps at least one free buffer if maxFreePerClass > 0
     */
    public BufferPool(int minShift, int maxShift, int maxFreePerClass, long maxFreeBytesPerClass,
            boolean checked) {
        if (minShift < 3 || minShift > 30) {
            throw new IllegalArgumentException("minShift=" + minShift + " must be in 3..30");
        }
        if (maxShift < minShift || maxShift > 30) {
            throw new IllegalArgumentException("maxShift=" + maxShift + " must be in minShift=" + minShift + "..30");
        }
        if (maxFreePerClass < 0) {
            throw new IllegalArgumentException("maxFreePerClass=" + maxFreePerClass + " must be >= 0");
        }
        if (maxFreeBytesPerClass < 0) {
            throw new IllegalArgumentException("maxFreeBytesPerClass=" + maxFreeBytesPerClass + " must be >= 0");
        }
        this.minShift = minShift;
        this.maxShift = maxShift;
        this.classes = new SizeClass[maxShift - minShift + 1];
        for (int shift = minShift; shift <= maxShift; shift++) {
            long bySize = maxFreeBytesPerClass >> shift;
            int keep = (int) Math.min(maxFreePerClass, Math.max(bySize, maxFreePerClass > 0 ? 1 : 0));
            classes[shift - minShift] = new SizeClass(1 << shift, keep);
        }
        this.lent = checked ? new Lent() : null;
    }

    /**
     * True if this pool detects every double or foreign release (see the class comment).
     *
     * @return whether the pool is checked
     */
    public boolean isChecked() {
        return lent != null;
    }

    /**
     * The process-wide default pool (64 B … 16 MiB classes).
     *
     * @return the shared pool
     */
    public static BufferPool shared() {
        return SHARED;
    }

    /**
     * Size of the smallest class in bytes.
     *
     * @return the smallest class size in bytes
     */
    public int minClassSize() {
        return 1 << minShift;
    }

    /**
     * Size of the largest class in bytes; larger requests are plain heap allocations.
     *
     * @return the largest class size in bytes
     */
    public int maxClassSize() {
        return 1 << maxShift;
    }

    /**
     * Returns a buffer with position 0 and limit {@code length}.
     *
     * @param length the buffer's limit in bytes, 0 or more
     * @return the buffer, to be given back with {@link #release(ByteBuffer)}
     * @throws IllegalArgumentException if length is negative
     */
    public ByteBuffer acquire(int length) {
        if (length <= 0) {
            if (length == 0) {
                return EMPTY;
            }
            throw new IllegalArgumentException("length=" + length + " must be >= 0");
        }
        ByteBuffer buffer;
        if (length > 1 << maxShift) {
            allocations.getAndIncrement();
            buffer = ByteBuffer.allocate(length);
        } else {
            int shift = Math.max(minShift, 32 - Integer.numberOfLeadingZeros(length - 1));
            SizeClass sizeClass = classes[shift - minShift];
            buffer = sizeClass.poll();
            if (buffer == null) {
                allocations.getAndIncrement();
                buffer = ByteBuffer.allocateDirect(sizeClass.size);
            }
            buffer.clear().limit(length);
        }
        if (lent != null && !lent.add(buffer)) {
            // only a release this pool failed to detect can get here
            throw new IllegalStateException("pool=" + this + " lent buffer=" + describe(buffer)
                    + " that is still lent: it was released twice by an earlier owner");
        }
        outstanding.getAndIncrement();
        return buffer;
    }

    /**
     * Gives a buffer back. The caller must not touch it afterwards. The shared
     * length-0 buffer and null are ignored; buffers that fit no class (such as
     * the heap buffers lent for requests above the largest class) are taken
     * back and dropped.
     *
     * @param buffer a buffer from {@link #acquire(int)}, or null
     * @throws IllegalStateException if the release is detected as a double or
     *         foreign one (see the class comment); the pool is then unchanged
     */
    @SuppressWarnings("ReferenceEquality") // EMPTY is recognised as that very instance, not by contents
    public void release(ByteBuffer buffer) {
        if (buffer == null || buffer == EMPTY) {
            return;
        }
        SizeClass sizeClass = classOf(buffer);
        if (lent != null && !lent.remove(buffer)) {
            throw new IllegalStateException("buffer=" + describe(buffer) + " is not lent by pool=" + this
                    + ": released twice, or foreign (from another pool, or a slice or duplicate of a pooled buffer)");
        }
        outstanding.getAndDecrement();
        if (sizeClass != null) {
            sizeClass.offer(buffer);
        }
    }

    /** The class a released buffer goes back to, or null if it fits none and is dropped. */
    private SizeClass classOf(ByteBuffer buffer) {
        int capacity = buffer.capacity();
        if (!buffer.isDirect() || Integer.bitCount(capacity) != 1) {
            return null;
        }
        int shift = Integer.numberOfTrailingZeros(capacity);
        if (shift < minShift || shift > maxShift) {
            return null;
        }
        return classes[shift - minShift];
    }

    /** Names a buffer by identity as well as shape: two views of one memory look alike otherwise. */
    private static String describe(ByteBuffer buffer) {
        return buffer.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(buffer))
                + "[pos=" + buffer.position() + " lim=" + buffer.limit() + " cap=" + buffer.capacity()
                + " direct=" + buffer.isDirect() + "]";
    }

    /**
     * Buffers acquired and not yet released (length-0 buffers are not counted).
     *
     * @return the number of buffers lent
     */
    public long outstanding() {
        return outstanding.get();
    }

    /**
     * Buffers allocated so far because no free one was at hand: a pool-miss counter.
     *
     * @return the number of allocations
     */
    public long allocations() {
        return allocations.get();
    }

    /**
     * Bytes currently held in the free lists.
     *
     * @return the bytes held free
     */
    public long retainedBytes() {
        long total = 0;
        for (SizeClass sizeClass : classes) {
            total += (long) sizeClass.freeCount() * sizeClass.size;
        }
        return total;
    }

    @Override
    public String toString() {
        return "BufferPool[classes=" + minClassSize() + ".." + maxClassSize()
                + ", outstanding=" + outstanding() + ", retainedBytes=" + retainedBytes() + "]";
    }

    /**
     * One class: a bounded set of free buffers in independent slots. Taking
     * and giving back are a scan with one atomic swap, without locks, so that
     * threads that meet here neither block nor allocate queue nodes.
     */
    private static final class SizeClass {
        final int size;
        private final java.util.concurrent.atomic.AtomicReferenceArray<ByteBuffer> slots;

        SizeClass(int size, int keep) {
            this.size = size;
            this.slots = new java.util.concurrent.atomic.AtomicReferenceArray<>(keep);
        }

        ByteBuffer poll() {
            for (int i = 0, n = slots.length(); i < n; i++) {
                if (slots.getPlain(i) != null) {
                    ByteBuffer buffer = slots.getAndSet(i, null);
                    if (buffer != null) {
                        return buffer;
                    }
                }
            }
            return null;
        }

        void offer(ByteBuffer buffer) {
            for (int i = 0, n = slots.length(); i < n; i++) {
                if (slots.getPlain(i) == null && slots.compareAndSet(i, null, buffer)) {
                    return;
                }
            }
            // full: drop it, the garbage collector frees it
        }

        int freeCount() {
            int count = 0;
            for (int i = 0, n = slots.length(); i < n; i++) {
                if (slots.get(i) != null) {
                    count++;
                }
            }
            return count;
        }
    }

    /**
     * The identity set of lent buffers of a checked pool. ByteBuffer's equals and
     * hashCode follow the content, so identity is the only sound key; an
     * IdentityHashMap stores entries in its table without a node per entry.
     * The lock guards no I/O and is held for a map operation only.
     */
    private static final class Lent {
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        private final java.util.IdentityHashMap<ByteBuffer, Boolean> buffers = new java.util.IdentityHashMap<>();

        boolean add(ByteBuffer buffer) {
            lock.lock();
            try {
                return buffers.put(buffer, Boolean.TRUE) == null;
            } finally {
                lock.unlock();
            }
        }

        boolean remove(ByteBuffer buffer) {
            lock.lock();
            try {
                return buffers.remove(buffer) != null;
            } finally {
                lock.unlock();
            }
        }
    }
}
