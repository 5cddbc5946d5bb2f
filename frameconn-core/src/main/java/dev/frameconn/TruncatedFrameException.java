package dev.frameconn;

/**
 * The stream ended inside a frame header or payload. Every complete frame
 * before it was delivered; the partial frame is lost.
 */
public final class TruncatedFrameException extends FrameConnException {
    /** Bytes of the truncated part that arrived. */
    private final long received;
    /** Bytes the truncated part should have had. */
    private final long expected;

    TruncatedFrameException(String part, long received, long expected) {
        super("frameconn: truncated frame: end of stream after " + received + " of " + expected
                + " " + part + " bytes");
        this.received = received;
        this.expected = expected;
    }

    /**
     * Bytes of the truncated part (header or payload) that did arrive.
     *
     * @return the bytes received
     */
    public long received() {
        return received;
    }

    /**
     * Bytes the truncated part should have had.
     *
     * @return the bytes expected
     */
    public long expected() {
        return expected;
    }
}
