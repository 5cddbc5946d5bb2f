package dev.frameconn.stream;

/**
 * The peer broke the stream protocol: a frame of another type in the middle of
 * a stream, data after an error trailer, a trailer that is not UTF-8 or is too
 * long. The receiving direction cannot carry another stream.
 */
public final class StreamProtocolException extends StreamException {
    StreamProtocolException(String message) {
        super("frameconn: stream protocol error: " + message, null);
    }
}
