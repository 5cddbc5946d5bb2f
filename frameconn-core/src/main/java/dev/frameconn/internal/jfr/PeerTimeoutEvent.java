package dev.frameconn.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * {@code frameconn.PeerTimeout}: a heartbeat connection's peer sent nothing, not
 * even a heartbeat, for the peer timeout. Recorded once per connection.
 */
@Name("frameconn.PeerTimeout")
@Label("Peer Timeout")
@Category({"frameconn", "Heartbeat"})
@Description("The peer of a heartbeat connection showed no sign of life for the peer timeout")
final class PeerTimeoutEvent extends jdk.jfr.Event {
    @Label("Remote Address")
    String remoteAddress;

    @Label("Direction")
    @Description("read (nothing arrived) or write (the peer took no data and sent no heartbeat)")
    String direction;

    @Label("Peer Timeout")
    @Timespan(Timespan.NANOSECONDS)
    long peerTimeout;
}
