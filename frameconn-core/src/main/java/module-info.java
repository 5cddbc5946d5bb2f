/**
 * frameconn: typed frames over a byte stream, wire-compatible with zrepl.
 * Only API packages are exported; {@code dev.frameconn.internal} is not.
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

    // Flight Recorder events (dev.frameconn.internal.jfr): optional, so that the core also runs on a
    // jlinked runtime without jdk.jfr; there the hooks do nothing
    requires static jdk.jfr;
}
