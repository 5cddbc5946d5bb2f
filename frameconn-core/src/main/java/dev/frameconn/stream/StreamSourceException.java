package dev.frameconn.stream;

/**
 * The source of a stream failed. On the receiving side the sender's message
 * arrived in ERROR_TRAILER frames ({@link #isRemote()} true, no cause); on the
 * sending side the source's exception is the cause and its message was sent to
 * the peer. Either way the stream ended with END and the connection can carry
 * the next stream.
 */
public final class StreamSourceException extends StreamException {
    private final String sourceMessage;
    private final boolean remote;

    StreamSourceException(String sourceMessage, boolean remote, Throwable cause) {
        super(remote
                ? "frameconn: the sender's source failed: " + sourceMessage
                : "frameconn: the source failed (message sent to the peer): " + sourceMessage, cause);
        this.sourceMessage = sourceMessage;
        this.remote = remote;
    }

    /** The source's error message, as the sender sent it. */
    public String sourceMessage() {
        return sourceMessage;
    }

    /** True on the receiving side: the failure happened at the peer. */
    public boolean isRemote() {
        return remote;
    }
}
