package dev.frameconn;

/**
 * The peer ended its side of the stream cleanly, at a frame boundary, without
 * sending RST. Every frame before it was delivered. Reading again throws this
 * again; writing may still work, since only the peer's direction ended.
 */
public final class EndOfStreamException extends FrameConnException {
    EndOfStreamException() {
        super("frameconn: end of stream: the peer closed its side at a frame boundary without RST");
    }
}
