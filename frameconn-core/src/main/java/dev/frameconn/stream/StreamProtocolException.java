package dev.frameconn.stream;

/**
 * The peer broke the stream protocol: a frame of another type in the middle of
 * a stream, data after an error trailer, an error trailer longer than
 * {@link StreamConn#MAX_TRAILER_RECEIVE}. The receiving direction cannot carry
 * another stream. (A trailer that is not UTF-8 is a
 * {@link StreamSourceException}, as in zrepl.)
 */
public final class StreamProtocolException extends StreamException {
    StreamProtocolException(String message) {
        super("frameconn: stream protocol error: " + message, null);
    }
}
