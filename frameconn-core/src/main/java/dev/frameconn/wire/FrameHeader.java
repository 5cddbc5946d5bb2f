package dev.frameconn.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 8-byte frame header: the one place where the wire layout is written down.
 *
 * <pre>
 *  offset  0               4               8
 *          +---------------+---------------+-----------------------------+
 *          | frame type    | payload       | payload: N bytes            |
 *          | uint32, BE    | length N,     | (N = 0 is a real frame)     |
 *          |               | uint32, BE    |                             |
 *          +---------------+---------------+-----------------------------+
 *
 *  frame type bits:  31..28  reserved for the framing layer (RST = 0x1000_0000)
 *                    27..0   free for layers above (heartbeat takes 27..24,
 *                            stream takes 19..16, applications the rest)
 * </pre>
 *
 * <p>There is no magic, version, flag or checksum: the layout is that of zrepl's
 * {@code frameconn} and is byte-compatible with it. All helpers are static and
 * allocation-free; they use absolute indices and never move a buffer's position.
 * Buffers passed in must be {@link ByteOrder#BIG_ENDIAN}, the default of every
 * {@link ByteBuffer}.
 */
public final class FrameHeader {
    /** Header size in bytes. */
    public static final int LENGTH = 8;
    /** Offset of the frame type within the header. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the payload length within the header. */
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    /** Type bits reserved for the framing layer; applications must keep them clear. */
    public static final int RESERVED_TYPE_MASK = 0xF000_0000;
    /** The largest type an application may use. */
    public static final int MAX_APPLICATION_TYPE = 0x0FFF_FFFF;
    /**
     * RST: sent by a side that shuts down. Its payload is empty (what zrepl sends) or a
     * reason ({@code ShutdownReason}): a code and a message (docs/PROTOCOL.md, "The RST payload").
     */
    public static final int RST = 0x1000_0000;

    private FrameHeader() {}

    /**
     * True if {@code type} leaves the framing layer's bits 28..31 clear.
     *
     * @param type a frame type
     * @return whether {@code type} is an application type
     */
    public static boolean isApplicationType(int type) {
        return (type & RESERVED_TYPE_MASK) == 0;
    }

    /**
     * Writes a header at {@code index} of {@code dst}; the position is left alone.
     *
     * @param dst the buffer to write into
     * @param index where the header starts
     * @param type the frame type
     * @param payloadLength the payload length
     */
    public static void encode(ByteBuffer dst, int index, int type, int payloadLength) {
        dst.putInt(index + TYPE_OFFSET, type);
        dst.putInt(index + PAYLOAD_LENGTH_OFFSET, payloadLength);
    }

    /**
     * Writes a header at {@code index} of {@code dst}.
     *
     * @param dst the array to write into
     * @param index where the header starts
     * @param type the frame type
     * @param payloadLength the payload length
     */
    public static void encode(byte[] dst, int index, int type, int payloadLength) {
        putIntBigEndian(dst, index + TYPE_OFFSET, type);
        putIntBigEndian(dst, index + PAYLOAD_LENGTH_OFFSET, payloadLength);
    }

    /**
     * Returns a fresh 8-byte array holding the header: for tests and tools, not hot paths.
     *
     * @param type the frame type
     * @param payloadLength the payload length
     * @return the 8 header bytes
     */
    public static byte[] toBytes(int type, int payloadLength) {
        byte[] bytes = new byte[LENGTH];
        encode(bytes, 0, type, payloadLength);
        return bytes;
    }

    /**
     * The frame type of the header at {@code index}.
     *
     * @param src the buffer holding the header
     * @param index where the header starts
     * @return the frame type
     */
    public static int type(ByteBuffer src, int index) {
        return src.getInt(index + TYPE_OFFSET);
    }

    /**
     * The payload length of the header at {@code index}, as an unsigned value.
     *
     * @param src the buffer holding the header
     * @param index where the header starts
     * @return the payload length
     */
    public static long payloadLength(ByteBuffer src, int index) {
        return Integer.toUnsignedLong(src.getInt(index + PAYLOAD_LENGTH_OFFSET));
    }

    /**
     * The frame type of the header at {@code index} of {@code src}.
     *
     * @param src the array holding the header
     * @param index where the header starts
     * @return the frame type
     */
    public static int type(byte[] src, int index) {
        return getIntBigEndian(src, index + TYPE_OFFSET);
    }

    /**
     * The payload length of the header at {@code index} of {@code src}, unsigned.
     *
     * @param src the array holding the header
     * @param index where the header starts
     * @return the payload length
     */
    public static long payloadLength(byte[] src, int index) {
        return Integer.toUnsignedLong(getIntBigEndian(src, index + PAYLOAD_LENGTH_OFFSET));
    }

    /**
     * A frame type as people read it in logs: {@code 0x0000002a}.
     *
     * @param type a frame type
     * @return the type in hex
     */
    public static String typeToString(int type) {
        return String.format("0x%08x", type);
    }

    private static void putIntBigEndian(byte[] dst, int index, int value) {
        dst[index] = (byte) (value >>> 24);
        dst[index + 1] = (byte) (value >>> 16);
        dst[index + 2] = (byte) (value >>> 8);
        dst[index + 3] = (byte) value;
    }

    private static int getIntBigEndian(byte[] src, int index) {
        return (src[index] & 0xff) << 24 | (src[index + 1] & 0xff) << 16
                | (src[index + 2] & 0xff) << 8 | (src[index + 3] & 0xff);
    }
}
