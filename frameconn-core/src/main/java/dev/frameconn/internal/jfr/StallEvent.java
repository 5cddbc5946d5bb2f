package dev.frameconn.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * {@code frameconn.Stall}: a heartbeat connection's peer was alive but moved no
 * payload byte for the stall timeout; the connection was closed. Recorded on the
 * heartbeat layer's timer thread, so without a stack trace.
 */
@Name("frameconn.Stall")
@Label("Stream Stall")
@Category({"frameconn", "Heartbeat"})
@Description("The peer is alive (heartbeats arrive) but no payload byte moved for the stall timeout")
@StackTrace(false)
final class StallEvent extends jdk.jfr.Event {
    @Label("Remote Address")
    String remoteAddress;

    @Label("Direction")
    @Description("receive (no payload byte arrived for a waiting reader)"
            + " or send (the peer took none from a waiting writer)")
    String direction;

    @Label("Stall Timeout")
    @Timespan(Timespan.NANOSECONDS)
    long stallTimeout;
}
