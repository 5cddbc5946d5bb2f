package dev.frameconn;

/**
 * A read or write was attempted on a side of the connection that an earlier
 * failure left in an unknown state (timeout, truncated or oversized frame,
 * protocol error, reset, I/O error). The earlier failure is the cause.
 * Only {@code shutdown} and {@code close} remain useful.
 */
public final class ConnectionBrokenException extends FrameConnException {
    ConnectionBrokenException(String side, Throwable cause) {
        super("frameconn: " + side + " side broken by an earlier failure: " + cause.getMessage(), cause);
    }
}
