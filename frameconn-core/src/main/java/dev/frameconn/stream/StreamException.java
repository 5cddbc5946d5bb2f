package dev.frameconn.stream;

import dev.frameconn.FrameConnException;

/**
 * A stream did not end cleanly. The subtypes tell the cases apart, so a
 * caller can {@code switch} over them:
 * <ul>
 *   <li>{@link StreamSourceException}: the sender's source failed; its message
 *       arrived in ERROR_TRAILER frames. The connection is fine and can carry
 *       the next stream.</li>
 *   <li>{@link StreamProtocolException}: the peer broke the stream protocol.</li>
 *   <li>{@link StreamBrokenException}: the connection failed (peer timeout,
 *       stall, reset, shutdown, end of stream); the cause says which.</li>
 *   <li>{@link MessageTooLongException}: a message read with
 *       {@link StreamConn#receiveMessage(int, int)} went past its bound; the
 *       rest was left unread, so the receiving direction is broken.</li>
 * </ul>
 */
public abstract sealed class StreamException extends FrameConnException
        permits StreamSourceException, StreamProtocolException, StreamBrokenException, MessageTooLongException {

    StreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
