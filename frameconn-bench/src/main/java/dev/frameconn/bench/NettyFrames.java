package dev.frameconn.bench;

import dev.frameconn.wire.FrameHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * The benchmark's frames as Netty sends and receives them, in one place. The
 * header is encoded once, by frameconn's own {@link FrameHeader}, so the Netty
 * contender cannot drift from the wire layout the others use; each frame then
 * gets its own small header buffer from the channel's allocator holding a copy
 * of those 8 bytes (as a Netty user would write it), followed by a retained
 * duplicate of one shared direct payload buffer (no copy). Receivers split
 * the stream with {@link #decoder()} and check each frame with
 * {@link #matches(ByteBuf)}.
 *
 * <p>Owns the payload buffer: {@link #release()} once, after the last write
 * has completed or the channels have closed.
 */
// Netty reports a failed write by closing the channel (auto-close), which the handlers'
// channelInactive turns into a failure of the round; the receiver's counts show any lost frame
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyFrames {
    private final int payload;
    private final byte[] header;
    private final ByteBuf source;

    /** Frames of {@code payload} bytes, the payload pattern in a direct buffer from {@code allocator}. */
    NettyFrames(ByteBufAllocator allocator, int payload) {
        this.payload = payload;
        this.header = FrameHeader.toBytes(Wire.TYPE, payload);
        this.source = allocator.directBuffer(payload, payload);
        for (int i = 0; i < payload; i++) {
            source.writeByte(i);
        }
    }

    /** Payload bytes per frame. */
    int payload() {
        return payload;
    }

    /** Bytes of one frame, header included. */
    int frameLength() {
        return FrameHeader.LENGTH + payload;
    }

    /**
     * Writes one frame to {@code out} (a channel, or a handler's context): the
     * header in a buffer of its own from {@code allocator}, then the payload,
     * and flushes after the payload if {@code flush}.
     */
    void write(ChannelOutboundInvoker out, ByteBufAllocator allocator, boolean flush) {
        out.write(allocator.buffer(FrameHeader.LENGTH).writeBytes(header));
        if (flush) {
            out.writeAndFlush(source.retainedDuplicate());
        } else {
            out.write(source.retainedDuplicate());
        }
    }

    /** The type of the decoded {@code frame} (header included, reader index at its start). */
    static int type(ByteBuf frame) {
        return frame.getInt(frame.readerIndex() + FrameHeader.TYPE_OFFSET);
    }

    /** True if the decoded {@code frame} is of the benchmark's type and this payload length. */
    boolean matches(ByteBuf frame) {
        return type(frame) == Wire.TYPE && frame.readableBytes() == frameLength();
    }

    /** Splits the stream into whole frames, header kept for the checks; one per channel (it keeps state). */
    static LengthFieldBasedFrameDecoder decoder() {
        // the length field counts the payload only, so no adjustment and nothing stripped
        return new LengthFieldBasedFrameDecoder(FrameHeader.LENGTH + Wire.MAX_PAYLOAD,
                FrameHeader.PAYLOAD_LENGTH_OFFSET, Integer.BYTES, 0, 0);
    }

    /** Releases the shared payload buffer. */
    void release() {
        source.release();
    }
}
