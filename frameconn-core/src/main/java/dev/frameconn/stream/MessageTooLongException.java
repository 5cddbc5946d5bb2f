package dev.frameconn.stream;

/**
 * A message received with {@link StreamConn#receiveMessage(int, int)} held
 * more than {@code maxBytes} bytes. Nothing past the bound was read: the rest
 * of the stream is still on its way, so the receiving direction is broken (no
 * further {@code receive} or {@code receiveMessage}), as zrepl never reads a
 * message past its bound either. The connection itself, and its sending
 * direction, are unaffected: a protocol above may still answer or shut down.
 */
public final class MessageTooLongException extends StreamException {
    /** The frame type of the message. */
    private final int type;
    /** The bound the message went past. */
    private final int maxBytes;

    MessageTooLongException(int type, int maxBytes) {
        super("frameconn: a message of type=" + StreamConn.typeName(type) + " is longer than maxBytes="
                + maxBytes + "; the rest was left unread, so the receiving direction is broken", null);
        this.type = type;
        this.maxBytes = maxBytes;
    }

    /**
     * The frame type of the message.
     *
     * @return the frame type
     */
    public int type() {
        return type;
    }

    /**
     * The bound the message went past.
     *
     * @return the bound in bytes
     */
    public int maxBytes() {
        return maxBytes;
    }
}
