package dev.frameconn;

import dev.frameconn.internal.Deadlines;
import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The write calls of one connection: every call to the transport, each inside
 * the write timeout ({@link Deadlines#beginWrite()}) and with the transport's
 * exception translated by the connection. Used by the pen holder only.
 *
 * <p>Fairness: a virtual thread whose socket never blocks is never preempted,
 * so it would keep its carrier while other connections' threads wait. After
 * every {@link #QUOTA} of work (bytes written, and {@link #CALL_COST} per
 * call), a virtual thread yields its carrier, as an event loop moves to the
 * next channel after its write quota. The cost per call is a subtraction and a
 * compare; a platform thread never yields (the OS preempts it).
 */
final class WireWriter {
    /**
     * Largest payload slice per system call. Blocking sockets write a whole
     * buffer in one call; slices keep the idle timeout's notion of progress fine.
     */
    static final int MAX_WRITE_CHUNK = 1 << 20;

    /** Work a virtual thread does before it lets the other virtual threads run. */
    static final int QUOTA = 256 << 10;
    /** Each write call counts as this many bytes, so that small writes also use up the quota. */
    static final int CALL_COST = 4 << 10;

    private final FrameConn owner;
    private final Transport wire;
    private final Deadlines deadlines;
    private final ByteBuffer[] gather = new ByteBuffer[2];
    /** Work left before the pen holder yields. */
    private long credit = QUOTA;

    WireWriter(FrameConn owner, Transport wire, Deadlines deadlines) {
        this.owner = owner;
        this.wire = wire;
        this.deadlines = deadlines;
    }

    /** Writes all of {@code src}. */
    void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            deadlines.beginWrite();
            try {
                credit -= wire.write(src) + CALL_COST;
            } catch (IOException e) {
                throw owner.translate(e);
            } finally {
                deadlines.endWrite();
            }
            if (credit <= 0) {
                yieldCarrier();
            }
        }
    }

    /** Writes all of {@code segments[0..count)} with gathering writes. */
    void writeFully(ByteBuffer[] segments, int count) throws IOException {
        int first = 0;
        while (first < count) {
            deadlines.beginWrite();
            try {
                credit -= wire.write(segments, first, count - first) + CALL_COST;
            } catch (IOException e) {
                throw owner.translate(e);
            } finally {
                deadlines.endWrite();
            }
            if (credit <= 0) {
                yieldCarrier();
            }
            while (first < count && !segments[first].hasRemaining()) {
                first++;
            }
        }
    }

    /**
     * {@code head}, then the payload, in gathering writes of at most
     * {@link #MAX_WRITE_CHUNK} of payload; the payload's position and limit
     * are left as they were.
     */
    void writeGathering(ByteBuffer head, ByteBuffer payload) throws IOException {
        int position = payload.position();
        int end = payload.limit();
        gather[0] = head;
        gather[1] = payload;
        try {
            while (head.hasRemaining() || payload.position() < end) {
                payload.limit(Math.min(end, payload.position() + MAX_WRITE_CHUNK));
                deadlines.beginWrite();
                try {
                    credit -= wire.write(gather, 0, 2) + CALL_COST;
                } catch (IOException e) {
                    throw owner.translate(e);
                } finally {
                    deadlines.endWrite();
                }
                if (credit <= 0) {
                    yieldCarrier();
                }
            }
        } finally {
            gather[1] = null; // do not keep the caller's buffer reachable
            payload.limit(end).position(position);
        }
    }

    /**
     * The quota is used up: a virtual thread lets the others run. Outside the
     * write timeout: waiting for a carrier is not a stalled peer.
     */
    // a deliberate fairness yield: without it one busy writer keeps its carrier
    // and starves the other virtual threads on it
    @SuppressWarnings("ThreadPriorityCheck")
    private void yieldCarrier() {
        credit = QUOTA;
        if (Thread.currentThread().isVirtual()) {
            Thread.yield();
        }
    }
}
