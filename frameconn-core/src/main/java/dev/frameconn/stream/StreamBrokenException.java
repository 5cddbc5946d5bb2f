package dev.frameconn.stream;

import java.io.IOException;

/**
 * The connection failed while a stream was being sent or received; the cause
 * is the connection's exception (for example
 * {@link dev.frameconn.heartbeat.PeerTimeoutException},
 * {@link dev.frameconn.heartbeat.StreamStalledException},
 * {@link dev.frameconn.ConnectionResetException},
 * {@link dev.frameconn.EndOfStreamException} for a peer that closed before END).
 */
public final class StreamBrokenException extends StreamException {
    StreamBrokenException(String what, IOException cause) {
        super("frameconn: " + what + ": " + cause.getMessage(), cause);
    }

    /** The connection's exception. */
    @Override
    public IOException getCause() {
        return (IOException) super.getCause();
    }
}
