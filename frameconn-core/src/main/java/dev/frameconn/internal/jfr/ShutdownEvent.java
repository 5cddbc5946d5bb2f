package dev.frameconn.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * {@code frameconn.Shutdown}: one {@code FrameConn.shutdown}, from its start to its
 * result. The event's duration is the shutdown's. Recorded once per connection
 * that is shut down (not for a plain {@code close()}).
 */
@Name("frameconn.Shutdown")
@Label("Connection Shutdown")
@Category({"frameconn", "Connection"})
@Description("The RST handshake of one connection: how long it took, what it drained, whether it ended cleanly")
final class ShutdownEvent extends jdk.jfr.Event {
    @Label("Remote Address")
    String remoteAddress;

    @Label("Clean")
    @Description("RST sent, write side half-closed, drained to the peer's end of stream, closed")
    boolean clean;

    @Label("Failed Step")
    @Description("The step that failed and forced an abortive close (write_frame, close_write, drain, close);"
            + " empty when clean")
    String failedStep;

    @Label("Error")
    @Description("What went wrong, when not clean")
    String error;

    @Label("Drained")
    @Description("Bytes discarded while draining the read side")
    @DataAmount
    long drainedBytes;

    @Label("Peer Initiated")
    @Description("The peer's RST arrived before this side's shutdown began")
    boolean peerInitiated;

    @Label("Peer Answered")
    @Description("The peer's RST was seen: it shut down as a frameconn peer should")
    boolean peerAnswered;

    @Label("Reason")
    @Description("The reason this side gave to shutdown() for its RST; empty when none")
    String reason;

    @Label("Peer Reason")
    @Description("The reason the peer's RST carried; empty when none")
    String peerReason;
}
