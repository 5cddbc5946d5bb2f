package dev.frameconn.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * {@code frameconn.Timeout}: a connection's timeout went off and closed it
 * abortively. Recorded on the thread that noticed (the watchdog, or the TLS
 * handshake timer), so without a stack trace.
 */
@Name("frameconn.Timeout")
@Label("Timeout")
@Category({"frameconn", "Connection"})
@Description("A read or write made no progress for the idle timeout, a deadline passed (shutdown's included),"
        + " or a TLS handshake did not finish in time")
@StackTrace(false)
final class TimeoutEvent extends jdk.jfr.Event {
    @Label("Remote Address")
    String remoteAddress;

    @Label("Kind")
    @Description("read, write (idle timeout), deadline, shutdown (the shutdown's deadline) or handshake (TLS)")
    String kind;

    @Label("Timeout")
    @Description("The idle or handshake timeout that expired; 0 for a deadline")
    @Timespan(Timespan.NANOSECONDS)
    long timeout;
}
