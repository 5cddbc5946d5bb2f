package dev.frameconn;

import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Frames to be written together by {@link FrameConn#writeBatch(FrameBatch)}:
 * the batch API for many small frames, which leave in as few system calls as
 * fit (one per 64 KiB of small frames) instead of one each.
 *
 * <p>A batch only remembers the frames; payload bytes are read when the batch
 * is written, so payload buffers must stay unchanged until then. A batch is
 * reusable ({@link #clear()}, or automatically after a successful write) and
 * allocates nothing once it has grown to its working size. Not thread-safe:
 * one batch per writing thread.
 */
public final class FrameBatch {
    private int[] types;
    private ByteBuffer[] payloads;
    private int size;

    /** An empty batch with room for 64 frames before it grows. */
    public FrameBatch() {
        this(64);
    }

    /**
     * An empty batch with room for {@code capacity} frames before it grows.
     *
     * @param capacity frames the batch holds before it grows, 0 or more
     */
    public FrameBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be >= 1");
        }
        types = new int[capacity];
        payloads = new ByteBuffer[capacity];
    }

    /**
     * Adds a frame: the bytes between {@code payload}'s position and limit, read
     * when the batch is written (position and limit are left unchanged).
     *
     * @param type the frame type, an application type
     * @param payload the bytes to send; the batch keeps a reference until it is written or cleared
     * @return this batch
     * @throws IllegalArgumentException if {@code type} has a reserved bit set
     */
    public FrameBatch add(int type, ByteBuffer payload) {
        if (!FrameHeader.isApplicationType(type)) {
            throw new IllegalArgumentException("type=" + FrameHeader.typeToString(type)
                    + " uses reserved bits 28..31; application types are 0x00000000..0x0fffffff");
        }
        Objects.requireNonNull(payload, "payload");
        if (size == types.length) {
            types = Arrays.copyOf(types, size * 2);
            payloads = Arrays.copyOf(payloads, size * 2);
        }
        types[size] = type;
        payloads[size] = payload;
        size++;
        return this;
    }

    /**
     * Frames added and not yet written.
     *
     * @return the number of frames waiting
     */
    public int size() {
        return size;
    }

    /**
     * True if no frame is waiting.
     *
     * @return whether no frame is waiting
     */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Forgets every frame (and the references to their payloads). */
    public void clear() {
        Arrays.fill(payloads, 0, size, null);
        size = 0;
    }

    int type(int i) {
        return types[i];
    }

    ByteBuffer payload(int i) {
        return payloads[i];
    }
}
