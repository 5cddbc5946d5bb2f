package dev.frameconn;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;

/**
 * One received frame: its type and its payload, held in a pooled buffer.
 *
 * <p><b>Ownership.</b> The reader that got a frame from
 * {@link FrameConn#readFrame()} owns it and must {@link #close()} it, best with
 * try-with-resources. Closing gives the buffer back to the pool; after that the
 * payload must not be touched, nor any view of it kept (the pool hands the
 * buffer to a later frame). Closing twice is harmless, unless frames are
 * reused (below). A frame is meant for one thread at a time; hand it over with the
 * usual happens-before (a queue, a lock) if another thread consumes it.
 *
 * <p>With {@link FrameConnConfig#reuseFrames()} on, a closed frame object is
 * handed out again by its connection's next read (so that reading allocates
 * nothing per frame): then never keep, use or close a frame after closing it.
 *
 * <p>A frame that is never closed only costs its buffer's place in the pool;
 * {@link LeakDetector} reports such frames with the place they were read.
 *
 * <p>{@link #payload()} has position 0 and limit {@link #length()} when the
 * frame is handed out; its capacity may be larger and is not the payload.
 */
public final class Frame implements AutoCloseable {
    private final BufferPool pool;
    private final java.util.concurrent.atomic.AtomicReference<Frame> recycler;
    private int type;
    private int length;
    private ByteBuffer payload;
    private LeakDetector.Tracker tracker;

    /**
     * @param recycler where a closed frame puts itself for its connection to reuse
     *        (one slot), or null; frames tracked by the leak detector are never reused
     */
    Frame(BufferPool pool, java.util.concurrent.atomic.AtomicReference<Frame> recycler) {
        this.pool = pool;
        this.recycler = recycler;
    }

    /** Fills a new or recycled frame; called by the reading connection only. */
    Frame fill(int type, ByteBuffer payload) {
        this.type = type;
        this.length = payload.remaining();
        this.payload = payload;
        this.tracker = LeakDetector.track(this, type, length);
        return this;
    }

    /**
     * The frame type: an application type, 0 … 0x0FFF_FFFF.
     *
     * @return the frame type
     */
    public int type() {
        return type;
    }

    /**
     * The payload length in bytes (0 is a real, delivered frame).
     *
     * @return the payload length in bytes
     */
    public int length() {
        return length;
    }

    /**
     * The payload buffer, owned by this frame. Relative reads move its position;
     * the bytes themselves stay until {@link #close()}.
     *
     * @return the payload buffer, positioned at the first unread byte
     * @throws IllegalStateException if the frame was closed
     */
    public ByteBuffer payload() {
        ByteBuffer p = payload;
        if (p == null) {
            throw new IllegalStateException("frame closed: type=" + FrameHeader.typeToString(type)
                    + " length=" + length);
        }
        return p;
    }

    /**
     * A copy of the payload, whatever the buffer's position.
     *
     * @return a new array with the whole payload
     */
    public byte[] toByteArray() {
        byte[] bytes = new byte[length];
        payload().get(0, bytes);
        return bytes;
    }

    /**
     * True until {@link #close()}.
     *
     * @return whether the frame is still open
     */
    public boolean isOpen() {
        return payload != null;
    }

    /** Gives the payload buffer back to the pool; idempotent. */
    @Override
    public void close() {
        ByteBuffer p = payload;
        if (p != null) {
            payload = null;
            pool.release(p);
            if (tracker != null) {
                tracker.closed();
                tracker = null;
            } else if (recycler != null) {
                recycler.compareAndSet(null, this); // steady state: no Frame allocated per read
            }
        }
    }

    @Override
    public String toString() {
        return "Frame[type=" + FrameHeader.typeToString(type) + ", length=" + length
                + (payload == null ? ", closed]" : "]");
    }
}
