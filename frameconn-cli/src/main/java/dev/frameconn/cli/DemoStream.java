package dev.frameconn.cli;

import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;

/**
 * The demo's frame sequence: deterministic for a seed, realistic in shape and
 * cheap to produce. Most frames carry {@code frameSize} bytes; about one in ten
 * is small (1..1024 bytes), one in twelve of random size up to
 * {@code frameSize}, one in fifty empty; types cycle at random through 1..5,
 * like zrepl's data connection. The last frame is cut so that the payloads
 * add up to exactly {@code totalBytes}.
 *
 * <p>Payload bytes are pseudo-random, yet generating them costs nothing per
 * frame: one block of random bytes is made up front and each frame is a slice
 * of it at a random offset. Both ends hash every frame with
 * {@link #hashHeader} followed by the payload, so the digest covers order,
 * types, lengths and every payload byte.
 *
 * <p>Not thread-safe: one sender iterates it.
 */
final class DemoStream {
    /** Smallest random block; frames are slices of it. */
    static final int MIN_BLOCK_SIZE = 8 << 20;
    /** Small frames carry 1 .. this many bytes. */
    static final int SMALL_MAX = 1024;

    private final byte[] blockBytes;
    private final ByteBuffer block;
    private final SplittableRandom plan;
    private final int frameSize;
    private long remaining;
    private int frames;

    private int type;
    private int offset;
    private int length;

    /**
     * @param totalBytes payload bytes of all frames together, 0 or more
     * @param frameSize payload of a full frame, 1 or more
     * @param seed the same seed gives the same frames
     */
    DemoStream(long totalBytes, int frameSize, long seed) {
        if (totalBytes < 0) {
            throw new IllegalArgumentException("totalBytes=" + totalBytes + " must be >= 0");
        }
        if (frameSize < 1) {
            throw new IllegalArgumentException("frameSize=" + frameSize + " must be >= 1");
        }
        this.frameSize = frameSize;
        this.remaining = totalBytes;
        SplittableRandom random = new SplittableRandom(seed);
        this.blockBytes = new byte[Math.max(MIN_BLOCK_SIZE, 2 * frameSize)];
        random.nextBytes(blockBytes);
        // direct, so that writes do not go through the JDK's temporary direct copy
        this.block = ByteBuffer.allocateDirect(blockBytes.length).put(blockBytes).flip();
        this.plan = random.split();
    }

    /** True while payload bytes remain to be sent. */
    boolean hasNext() {
        return remaining > 0;
    }

    /** Moves to the next frame; {@link #type()}, {@link #payload()} and {@link #hashCurrent} describe it. */
    void next() {
        if (remaining <= 0) {
            throw new IllegalStateException("no frame left: remaining=" + remaining);
        }
        int roll = plan.nextInt(100);
        int size;
        if (roll < 2) {
            size = 0;
        } else if (roll < 12) {
            size = 1 + plan.nextInt(Math.min(SMALL_MAX, frameSize));
        } else if (roll < 20) {
            size = 1 + plan.nextInt(frameSize);
        } else {
            size = frameSize;
        }
        length = (int) Math.min(size, remaining);
        offset = plan.nextInt(blockBytes.length - length + 1);
        type = 1 + plan.nextInt(5);
        remaining -= length;
        frames++;
    }

    /** The current frame's type. */
    int type() {
        return type;
    }

    /** The current frame's payload length. */
    int length() {
        return length;
    }

    /** Frames produced so far. */
    int frames() {
        return frames;
    }

    /** The current frame's payload: a view of the shared block, valid until {@link #next()}. */
    ByteBuffer payload() {
        return block.slice(offset, length);
    }

    /** Hashes the current frame the way the receiver hashes what it gets. */
    void hashCurrent(MessageDigest digest, byte[] scratch) {
        hashHeader(digest, scratch, type, length);
        digest.update(blockBytes, offset, length);
    }

    /** Feeds a frame's header (type and length, as on the wire) to the digest; scratch holds 8 bytes. */
    static void hashHeader(MessageDigest digest, byte[] scratch, int type, int length) {
        FrameHeader.encode(scratch, 0, type, length);
        digest.update(scratch, 0, FrameHeader.LENGTH);
    }
}
