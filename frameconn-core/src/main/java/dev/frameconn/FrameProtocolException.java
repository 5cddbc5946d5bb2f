package dev.frameconn;

/**
 * The peer broke the framing protocol, for example with a frame whose reserved
 * type bits are set but that is not RST. The read side is broken.
 */
public final class FrameProtocolException extends FrameConnException {
    FrameProtocolException(String message) {
        super("frameconn: protocol error: " + message);
    }
}
