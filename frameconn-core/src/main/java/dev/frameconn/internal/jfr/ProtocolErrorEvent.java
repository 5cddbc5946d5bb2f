package dev.frameconn.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * {@code frameconn.ProtocolError}: the peer broke the protocol of one layer and
 * the connection's read side is broken. The stack trace is the reading thread's.
 */
@Name("frameconn.ProtocolError")
@Label("Protocol Error")
@Category({"frameconn", "Connection"})
@Description("The peer sent something the protocol does not allow: a frame with reserved type bits,"
        + " an unknown heartbeat-layer type, a stream frame out of place")
final class ProtocolErrorEvent extends jdk.jfr.Event {
    @Label("Remote Address")
    String remoteAddress;

    @Label("Layer")
    @Description("frame (the framing), heartbeat or stream")
    String layer;

    @Label("Message")
    String message;
}
