package dev.frameconn.stream;

/**
 * The source of a stream failed. On the receiving side the sender's message
 * arrived in ERROR_TRAILER frames ({@link #isRemote()} true, no cause); on the
 * sending side the source's exception is the cause and its message was sent to
 * the peer. Either way the stream ended with END and the connection can carry
 * the next stream.
 *
 * <p>A trailer that is not valid UTF-8 is still a source error, as in zrepl
 * (which calls it a "source implementation error: source error, but not
 * encoded as UTF-8" and keeps the connection): {@link #isUtf8()} is then false
 * and {@link #sourceMessage()} shows each malformed byte sequence as U+FFFD.
 */
public final class StreamSourceException extends StreamException {
    /** The source's error message, as the sender sent it (decoded). */
    private final String sourceMessage;
    /** True on the receiving side. */
    private final boolean remote;
    /** False if the sender's trailer was not valid UTF-8. */
    private final boolean utf8;

    StreamSourceException(String sourceMessage, boolean remote, Throwable cause) {
        this(remote
                ? "frameconn: the sender's source failed: " + sourceMessage
                : "frameconn: the source failed (message sent to the peer): " + sourceMessage,
                sourceMessage, remote, true, cause);
    }

    private StreamSourceException(String message, String sourceMessage, boolean remote, boolean utf8,
            Throwable cause) {
        super(message, cause);
        this.sourceMessage = sourceMessage;
        this.remote = remote;
        this.utf8 = utf8;
    }

    /** The receiving side's exception for an error trailer of {@code length} bytes that is not UTF-8. */
    static StreamSourceException notUtf8(String decodedWithReplacements, int length) {
        return new StreamSourceException("frameconn: the sender's source failed, but its error message of "
                + length + " bytes is not encoded as UTF-8 (invalid bytes shown as U+FFFD): "
                + decodedWithReplacements, decodedWithReplacements, true, false, null);
    }

    /**
     * The source's error message, as the sender sent it; if it was not valid
     * UTF-8, decoded with U+FFFD in place of the malformed bytes.
     *
     * @return the source's message
     */
    public String sourceMessage() {
        return sourceMessage;
    }

    /**
     * True on the receiving side: the failure happened at the peer.
     *
     * @return whether the failure happened at the peer
     */
    public boolean isRemote() {
        return remote;
    }

    /**
     * False if the sender's error trailer was not valid UTF-8 (a fault of the
     * sender's implementation); the connection is fine either way.
     *
     * @return whether the trailer was valid UTF-8
     */
    public boolean isUtf8() {
        return utf8;
    }
}
