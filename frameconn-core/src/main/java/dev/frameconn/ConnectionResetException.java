package dev.frameconn;

import java.io.IOException;

/**
 * The peer reset the connection (TCP RST, "connection reset by peer", or
 * "broken pipe" when writing to a peer that went away). Data in flight may be
 * lost; the connection is broken.
 */
public final class ConnectionResetException extends FrameConnException {
    ConnectionResetException(IOException cause) {
        super("frameconn: connection reset by peer: " + cause.getMessage(), cause);
    }
}
