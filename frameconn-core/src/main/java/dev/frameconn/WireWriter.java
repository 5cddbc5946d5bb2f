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
 * <p>Fairness: every write call is counted against a {@link CarrierQuota},
 * after the write timeout ends, so a virtual pen holder whose socket never
 * blocks still lets the other connections' threads run.
 */
final class WireWriter {
    /**
     * Largest payload slice per system call. Blocking sockets write a whole
     * buffer in one call; slices keep the idle timeout's notion of progress fine.
     */
    static final int MAX_WRITE_CHUNK = 1 << 20;

    private final FrameConn owner;
    private final Transport wire;
    private final Deadlines deadlines;
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private final CarrierQuota quota = new CarrierQuota();

    WireWriter(FrameConn owner, Transport wire, Deadlines deadlines) {
        this.owner = owner;
        this.wire = wire;
        this.deadlines = deadlines;
    }

    /** Writes all of {@code src}. */
    void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            long written;
            deadlines.beginWrite();
            try {
                written = wire.write(src);
            } catch (IOException e) {
                throw owner.translate(e);
            } finally {
                deadlines.endWrite();
            }
            quota.spend(written);
        }
    }

    /** Writes all of {@code segments[0..count)} with gathering writes. */
    void writeFully(ByteBuffer[] segments, int count) throws IOException {
        int first = 0;
        while (first < count) {
            long written;
            deadlines.beginWrite();
            try {
                written = wire.write(segments, first, count - first);
            } catch (IOException e) {
                throw owner.translate(e);
            } finally {
                deadlines.endWrite();
            }
            quota.spend(written);
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
                long written;
                deadlines.beginWrite();
                try {
                    written = wire.write(gather, 0, 2);
                } catch (IOException e) {
                    throw owner.translate(e);
                } finally {
                    deadlines.endWrite();
                }
                quota.spend(written);
            }
        } finally {
            gather[1] = null; // do not keep the caller's buffer reachable
            payload.limit(end).position(position);
        }
    }
}
