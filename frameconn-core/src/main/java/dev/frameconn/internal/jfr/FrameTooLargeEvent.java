package dev.frameconn.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * {@code frameconn.FrameTooLarge}: the peer announced a payload longer than
 * {@code maxPayloadLength}; nothing was allocated for it and the read side is broken.
 */
@Name("frameconn.FrameTooLarge")
@Label("Frame Too Large")
@Category({"frameconn", "Connection"})
@Description("The peer announced a payload longer than maxPayloadLength; the read side is broken")
final class FrameTooLargeEvent extends jdk.jfr.Event {
    @Label("Remote Address")
    String remoteAddress;

    @Label("Frame Type")
    @Description("The announced frame type, as 0x%08x")
    String frameType;

    @Label("Length")
    @Description("The announced payload length")
    @DataAmount
    long length;

    @Label("Limit")
    @Description("maxPayloadLength of the connection")
    @DataAmount
    long limit;
}
