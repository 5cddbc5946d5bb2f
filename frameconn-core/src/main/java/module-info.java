/**
 * frameconn: typed frames over a byte stream, wire-compatible with zrepl.
 * Only API packages are exported to all; {@code dev.frameconn.internal} and its
 * {@code jfr} package only to the TLS module ({@code dev.frameconn.tls}).
 */
module dev.frameconn {
    exports dev.frameconn;
    exports dev.frameconn.wire;
    exports dev.frameconn.buffer;
    exports dev.frameconn.metrics;
    exports dev.frameconn.time;
    exports dev.frameconn.transport;
    exports dev.frameconn.heartbeat;
    exports dev.frameconn.stream;
    // only the TLS module's handshake timer records through the hooks
    exports dev.frameconn.internal.jfr to dev.frameconn.tls;
    // the TLS module connects and aborts its sockets with core's code (Sockets), not a copy
    exports dev.frameconn.internal to dev.frameconn.tls;

    // Flight Recorder events (dev.frameconn.internal.jfr): optional, so that the core also runs on a
    // jlinked runtime without jdk.jfr; there the hooks do nothing
    requires static jdk.jfr;
}
