package dev.frameconn.bench;

import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;

/**
 * What every implementation puts on the wire: frames of {@link #TYPE} in
 * frameconn's layout ({@link FrameHeader}), payload bytes 0, 1, 2, ... 255, 0, ...
 * The receivers check the type and the lengths; the content is not checked
 * per byte, since no implementation touches it.
 */
public final class Wire {
    /** The frame type of every benchmark frame. */
    public static final int TYPE = 0x0000_0b0b;
    /** Largest write of the raw sender, and size of its read buffer: 1 MiB. */
    public static final int RAW_WRITE_SIZE = 1 << 20;
    /** Frames per flush in batch mode, as Netty's "flush every 64". */
    public static final int BATCH_FRAMES = 64;
    /** Payload bytes per batch at most, so that a batch of 4 MiB frames stays 2 frames long. */
    public static final long BATCH_BYTES = 8L << 20;
    /** Largest payload the receivers accept. */
    public static final int MAX_PAYLOAD = 16 << 20;

    private Wire() {}

    /** Bytes of one frame on the wire: header and payload. */
    public static int frameLength(int payload) {
        return FrameHeader.LENGTH + payload;
    }

    /** Frames per batch for this payload: 64, fewer for large payloads (at least 1). */
    public static int batchFrames(int payload) {
        if (payload == 0) {
            return BATCH_FRAMES;
        }
        return (int) Math.max(1, Math.min(BATCH_FRAMES, BATCH_BYTES / payload));
    }

    /** A direct buffer holding one payload of the pattern, position 0, limit {@code payload}. */
    public static ByteBuffer payload(int payload) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(payload);
        for (int i = 0; i < payload; i++) {
            buffer.put(i, (byte) i);
        }
        return buffer;
    }

    /**
     * The frame stream as the raw sender sends it: whole frames, repeated, for
     * {@code frameLength(payload) + RAW_WRITE_SIZE} bytes (the last frame cut).
     * Any {@link #RAW_WRITE_SIZE} window starting at offset {@code k} in
     * {@code [0, frameLength)} continues a stream that is {@code k} bytes into a
     * frame, so the sender can write 1 MiB at a time and still end on a frame
     * boundary. Read-only callers may share it through {@link ByteBuffer#duplicate()}.
     */
    public static ByteBuffer rawBlock(int payload) {
        int frame = frameLength(payload);
        int size = frame + RAW_WRITE_SIZE;
        ByteBuffer block = ByteBuffer.allocateDirect(size);
        byte[] one = new byte[frame];
        FrameHeader.encode(one, 0, TYPE, payload);
        for (int i = 0; i < payload; i++) {
            one[FrameHeader.LENGTH + i] = (byte) i;
        }
        for (int at = 0; at < size; at += frame) {
            block.put(at, one, 0, Math.min(frame, size - at));
        }
        return block;
    }

    /** One whole frame (header and payload) in a direct buffer: what ping-pong sends. */
    public static ByteBuffer rawFrame(int payload) {
        ByteBuffer block = rawBlock(payload);
        return block.limit(frameLength(payload)).slice();
    }
}
