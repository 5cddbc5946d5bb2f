package dev.frameconn;

import dev.frameconn.metrics.FrameConnMetrics;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns a {@link FrameBatch} into few gathering writes. Small frames and the
 * headers of large ones are copied into one buffer; large payloads are not
 * copied but gathered behind them as segments, so one system call carries up
 * to {@link WireWriter#MAX_WRITE_CHUNK} bytes whatever the frame sizes.
 *
 * <p>Used under the pen only. Its buffer and arrays are made on first use
 * (a connection that never writes a batch, such as an idle one, holds none of
 * them) and kept for the connection's life; nothing is allocated per batch
 * after that. Callers'
 * payload buffers are left with their positions unchanged and are not kept
 * reachable after {@link #write}.
 */
final class BatchGatherer {
    /** Size of the copy buffer: a batch of small frames leaves in one call per this many bytes. */
    static final int BUFFER_SIZE = Outbound.STAGING_SIZE;
    /** Segments one gathering write may have (headers and payloads). */
    static final int SEGMENTS = 64;

    private final WireWriter out;
    private final FrameConnMetrics metrics;
    private ByteBuffer buffer;
    private ByteBuffer[] views;
    private ByteBuffer[] segments;
    /** Each segment's position to restore after the write, -1 for our own views. */
    private int[] positions;
    private int count;
    private int regionStart;
    private int viewsUsed;
    private long bytes;

    BatchGatherer(WireWriter out, FrameConnMetrics metrics) {
        this.out = out;
        this.metrics = metrics;
    }

    /** Writes every frame of {@code batch} in order; leaves the batch as it is. */
    void write(FrameBatch batch) throws IOException {
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
            views = new ByteBuffer[SEGMENTS];
            segments = new ByteBuffer[SEGMENTS];
            positions = new int[SEGMENTS];
            for (int i = 0; i < SEGMENTS; i++) {
                views[i] = buffer.duplicate();
            }
        }
        ByteBuffer buf = buffer.clear();
        reset();
        try {
            for (int i = 0, n = batch.size(); i < n; i++) {
                int type = batch.type(i);
                ByteBuffer payload = batch.payload(i);
                int length = payload.remaining();
                if (length <= Outbound.COPY_THRESHOLD) {
                    if (buf.remaining() < FrameHeader.LENGTH + length) {
                        send();
                    }
                    copyFrame(buf, type, payload, length);
                } else {
                    addLarge(buf, type, payload, length);
                }
                metrics.frameWritten(type, length);
            }
            send();
        } finally {
            restorePayloads();
            reset();
        }
    }

    private void addLarge(ByteBuffer buf, int type, ByteBuffer payload, int length) throws IOException {
        if (buf.remaining() < FrameHeader.LENGTH || count + 3 > SEGMENTS) {
            send();
        }
        FrameHeader.encode(buf, buf.position(), type, length);
        buf.position(buf.position() + FrameHeader.LENGTH);
        if (length > WireWriter.MAX_WRITE_CHUNK) {
            send(); // ends with this header
            out.writeGathering(buf.clear().limit(0), payload);
            buf.clear();
            return;
        }
        addRegion();
        if (alreadyGathered(payload)) {
            // one buffer object twice in a gathering write: a partial write would move
            // its one position for both, so the repeat gets a view of its own
            positions[count] = -1;
            segments[count++] = payload.duplicate();
        } else {
            positions[count] = payload.position();
            segments[count++] = payload;
        }
        bytes += length;
        if (bytes >= WireWriter.MAX_WRITE_CHUNK) {
            send();
        }
    }

    /** Header and payload of one small frame, copied in at {@code out}'s position. */
    static void copyFrame(ByteBuffer out, int type, ByteBuffer payload, int length) {
        int at = out.position();
        FrameHeader.encode(out, at, type, length);
        out.put(at + FrameHeader.LENGTH, payload, payload.position(), length);
        out.position(at + FrameHeader.LENGTH + length);
    }

    // identity, not content: ByteBuffer.equals compares the bytes left, and two
    // distinct buffers with equal bytes must both be gathered
    @SuppressWarnings("ReferenceEquality")
    private boolean alreadyGathered(ByteBuffer payload) {
        for (int i = 0; i < count; i++) {
            if (segments[i] == payload) {
                return true;
            }
        }
        return false;
    }

    /** Adds the bytes copied into the buffer since the last region as a segment. */
    private void addRegion() {
        int end = buffer.position();
        if (end > regionStart) {
            ByteBuffer view = views[viewsUsed++];
            view.limit(end).position(regionStart);
            positions[count] = -1;
            segments[count++] = view;
            bytes += end - regionStart;
            regionStart = end;
        }
    }

    /** Writes the collected segments, then starts over. */
    private void send() throws IOException {
        addRegion();
        out.writeFully(segments, count);
        restorePayloads();
        reset();
        buffer.clear();
    }

    private void restorePayloads() {
        for (int i = 0; i < count; i++) {
            if (positions[i] >= 0) {
                segments[i].position(positions[i]);
            }
        }
    }

    private void reset() {
        Arrays.fill(segments, 0, count, null); // do not keep callers' buffers reachable
        count = 0;
        viewsUsed = 0;
        regionStart = 0;
        bytes = 0;
    }
}
