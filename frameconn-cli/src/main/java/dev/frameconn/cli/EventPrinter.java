package dev.frameconn.cli;

import dev.frameconn.ShutdownReason;
import dev.frameconn.ShutdownResult;
import dev.frameconn.tls.PeerIdentity;
import dev.frameconn.tls.TlsHandshakeException;
import dev.frameconn.wire.FrameHeader;
import java.io.PrintWriter;
import java.net.SocketAddress;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output of {@code frames listen} and {@code frames send}: one line per
 * event, as text for people or, with {@code --json}, as one JSON object per
 * line for scripts. Lines from concurrent connections never interleave, and
 * each is flushed at once so that a reader on a pipe sees it immediately.
 *
 * <p>{@code peer_reason} is present when the peer's RST carried a reason:
 * {@code {"code":2,"name":"FRAME_TOO_LARGE","message":"…"}}; in text the
 * message shows it. Connection numbers start at 1; number 0 means "the only connection" (the
 * sender) and is left out of the line.
 *
 * <pre>
 * text                                                   JSON event
 * listening on 127.0.0.1:7000                            listening {address}
 * conn 1 accepted from 127.0.0.1:50000                   accepted  {connection, remote}
 * conn 1 accepted from 127.0.0.1:50000 client CN=c1 …    accepted  {connection, remote, client: {cn, dns, ip}}
 * tls handshake failed from 127.0.0.1:50001: …           handshake_failed {remote, reason, message}
 * conn 1 frame type=0x00000001 length=5 sha256=…         frame     {connection, type, length, sha256}
 * conn 1 end: peer_shutdown (frameconn: shutting …)      (text only; JSON folds it into "end")
 * conn 1 shutdown: clean, drained 0 bytes in 0.4 ms      end       {connection, reason, message,
 *                                                                   peer_reason?, clean, drained_bytes,
 *                                                                   shutdown_seconds, failed_step?, error?}
 * received type=0x00000001 length=2 sha256=…             received  {type, length, sha256} (sender)
 * end: peer_shutdown (…)                                 end       {reason, message} (sender, early end)
 * shutdown: clean, drained 8 bytes in 0.9 ms             shutdown  {clean, drained_bytes, …} (sender)
 * </pre>
 */
final class EventPrinter {
    private final PrintWriter out;
    private final boolean json;
    private final ReentrantLock lock = new ReentrantLock();

    EventPrinter(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** True if lines are JSON objects. */
    boolean json() {
        return json;
    }

    /** The listener is ready; scripts read the real port from this first line. */
    void listening(SocketAddress address) {
        String formatted = Addresses.format(address);
        print(json ? Json.event("listening").put("address", formatted).toString()
                : "listening on " + formatted);
    }

    /** A connection was accepted. */
    void accepted(int conn, SocketAddress remote) {
        accepted(conn, remote, null);
    }

    /** A connection was accepted; over TLS, {@code client} is who the client proved to be. */
    void accepted(int conn, SocketAddress remote, PeerIdentity client) {
        String from = remote == null ? "unknown" : Addresses.format(remote);
        if (json) {
            Json line = Json.event("accepted").put("connection", conn).put("remote", from);
            if (client != null) {
                line.put("client", Json.object().put("cn", client.commonName())
                        .put("dns", String.join(",", client.dnsNames()))
                        .put("ip", String.join(",", client.ipAddresses())));
            }
            print(line.toString());
        } else {
            print(prefix(conn) + "accepted from " + from + (client == null ? "" : " client " + describe(client)));
        }
    }

    /** A TLS client failed its handshake: not a connection, but worth a line. */
    void handshakeFailed(TlsHandshakeException e) {
        String from = e.peer() == null ? "unknown" : Addresses.format(e.peer());
        String reason = e.reason().name().toLowerCase(java.util.Locale.ROOT);
        print(json ? Json.event("handshake_failed").put("remote", from).put("reason", reason)
                        .put("message", EndReason.messageOf(e)).toString()
                : handshakeFailure(e));
    }

    /** {@code tls handshake failed from ADDRESS: reason (message)}: a failed TLS handshake, in one line. */
    static String handshakeFailure(TlsHandshakeException e) {
        String from = e.peer() == null ? "unknown" : Addresses.format(e.peer());
        return "tls handshake failed from " + from + ": " + e.reason().name().toLowerCase(java.util.Locale.ROOT)
                + " (" + EndReason.messageOf(e) + ")";
    }

    /** {@code CN=name DNS=a,b IP=c}: the names of a peer's certificate. */
    static String describe(PeerIdentity id) {
        StringBuilder s = new StringBuilder("CN=").append(id.commonName());
        if (!id.dnsNames().isEmpty()) {
            s.append(" DNS=").append(String.join(",", id.dnsNames()));
        }
        if (!id.ipAddresses().isEmpty()) {
            s.append(" IP=").append(String.join(",", id.ipAddresses()));
        }
        if (!id.uris().isEmpty()) {
            s.append(" URI=").append(String.join(",", id.uris()));
        }
        return s.toString();
    }

    /** A frame was received (listener) or sent (sender). */
    void frame(int conn, int type, int length, String sha256) {
        if (json) {
            Json line = Json.event("frame");
            if (conn > 0) {
                line.put("connection", conn);
            }
            print(line.put("type", Integer.toUnsignedLong(type)).put("length", length).put("sha256", sha256)
                    .toString());
        } else {
            print(prefix(conn) + "frame type=" + FrameHeader.typeToString(type) + " length=" + length
                    + " sha256=" + sha256);
        }
    }

    /** The sender received a frame from its peer. */
    void received(int type, int length, String sha256) {
        print(json ? Json.event("received").put("type", Integer.toUnsignedLong(type)).put("length", length)
                .put("sha256", sha256).toString()
                : "received type=" + FrameHeader.typeToString(type) + " length=" + length + " sha256=" + sha256);
    }

    /** The sender's connection ended before its own shutdown: printed at once, in both formats. */
    void endedEarly(EndReason reason, String message, ShutdownReason peerReason) {
        if (json) {
            Json line = Json.event("end").put("reason", reason.label()).put("message", message);
            print(withPeerReason(line, peerReason).toString());
        } else {
            print("end: " + reason.label() + " (" + message + ")");
        }
    }

    /**
     * Reading or writing ended. Text mode prints it at once, before the
     * shutdown that follows (which may take up to its timeout); JSON folds it
     * into the {@code end} event of {@link #closed}.
     */
    void ended(int conn, EndReason reason, String message) {
        if (!json) {
            print(prefix(conn) + "end: " + reason.label() + " (" + message + ")");
        }
    }

    /** The shutdown after {@link #ended} finished: text shutdown line, or the JSON {@code end} event. */
    void closed(int conn, EndReason reason, String message, ShutdownReason peerReason, ShutdownResult result) {
        if (json) {
            Json line = Json.event("end");
            if (conn > 0) {
                line.put("connection", conn);
            }
            line.put("reason", reason.label()).put("message", message);
            print(shutdownFields(withPeerReason(line, peerReason), result, "shutdown_seconds").toString());
        } else {
            print(prefix(conn) + shutdownText(result));
        }
    }

    /** A shutdown this side began (the sender at the end of its input). */
    void shutdown(ShutdownResult result) {
        print(json ? shutdownFields(Json.event("shutdown"), result, "shutdown_seconds").toString()
                : shutdownText(result));
    }

    /** A free-form error about one connection, on the same stream as the events. */
    void error(int conn, String message) {
        print(json ? Json.event("error").put("connection", conn).put("message", message).toString()
                : prefix(conn) + "error: " + message);
    }

    private static Json withPeerReason(Json line, ShutdownReason peerReason) {
        if (peerReason != null) {
            line.put("peer_reason", Json.object()
                    .put("code", Integer.toUnsignedLong(peerReason.code()))
                    .put("name", peerReason.codeName())
                    .put("message", peerReason.message()));
        }
        return line;
    }

    /**
     * Adds a shutdown's result to {@code line}: clean, drained_bytes, its
     * duration under {@code secondsKey}, then failed_step and error when there
     * are any. The events say {@code shutdown_seconds} beside their other
     * fields; {@code demo} nests the result and says {@code seconds}.
     */
    static Json shutdownFields(Json line, ShutdownResult result, String secondsKey) {
        line.put("clean", result.clean())
                .put("drained_bytes", result.drainedBytes())
                .put(secondsKey, result.duration().toNanos() / 1e9);
        if (result.failedStep() != null) {
            line.put("failed_step", result.failedStep().label());
        }
        if (result.error() != null) {
            line.put("error", EndReason.messageOf(result.error()));
        }
        return line;
    }

    static String shutdownText(ShutdownResult result) {
        String figures = "drained " + result.drainedBytes() + " bytes in " + Durations.format(result.duration());
        if (result.clean()) {
            return "shutdown: clean, " + figures;
        }
        StringBuilder s = new StringBuilder("shutdown: NOT clean");
        if (result.failedStep() != null) {
            s.append(" at step ").append(result.failedStep().label());
        }
        if (result.error() != null) {
            s.append(": ").append(EndReason.messageOf(result.error()));
        }
        return s.append(", ").append(figures).toString();
    }

    private static String prefix(int conn) {
        return conn > 0 ? "conn " + conn + " " : "";
    }

    private void print(String line) {
        lock.lock();
        try {
            out.println(line);
            out.flush();
        } finally {
            lock.unlock();
        }
    }
}
