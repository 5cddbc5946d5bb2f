package dev.frameconn;

import dev.frameconn.wire.FrameHeader;

/**
 * The peer announced a payload longer than the configured maximum. Nothing was
 * allocated for it. The stream cannot be resynchronised, so the read side is
 * broken.
 */
public final class FrameTooLargeException extends FrameConnException {
    /** The announced frame type. */
    private final int type;
    /** The announced payload length, unsigned. */
    private final long length;
    /** The configured maximum payload length. */
    private final int maxLength;

    FrameTooLargeException(int type, long length, int maxLength) {
        super("frameconn: frame too large: type=" + FrameHeader.typeToString(type)
                + " length=" + length + " exceeds maxPayloadLength=" + maxLength);
        this.type = type;
        this.length = length;
        this.maxLength = maxLength;
    }

    /**
     * The announced frame type.
     *
     * @return the frame type
     */
    public int type() {
        return type;
    }

    /**
     * The announced payload length, unsigned.
     *
     * @return the announced length
     */
    public long length() {
        return length;
    }

    /**
     * The configured maximum.
     *
     * @return the maximum payload length
     */
    public int maxLength() {
        return maxLength;
    }
}
