package dev.frameconn.cli;

import dev.frameconn.ConnectionResetException;
import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.TruncatedFrameException;
import dev.frameconn.heartbeat.PeerTimeoutException;
import dev.frameconn.heartbeat.StreamStalledException;
import dev.frameconn.stream.StreamBrokenException;
import dev.frameconn.stream.StreamProtocolException;
import dev.frameconn.stream.StreamSourceException;
import dev.frameconn.tls.TlsHandshakeException;
import java.util.Locale;

/**
 * One clear line for a failed transfer, and its exit status. The library's
 * exception types tell the cases apart; this only words them for people.
 */
record TransferFailure(int exit, String message) {

    /**
     * Describes a failure of the stream or of the connection under it. A TLS
     * handshake failure anywhere in the causes means there never was a
     * connection: {@link TransferExit#UNAVAILABLE}. With TLS 1.3 the server
     * rejects a client's certificate after the client finished its handshake,
     * so the sender learns of it only from a later read.
     */
    static TransferFailure of(Throwable e, String peer) {
        TlsHandshakeException tls = tlsHandshakeFailure(e);
        if (tls != null) {
            return new TransferFailure(TransferExit.UNAVAILABLE, "TLS handshake with " + peer + " failed: "
                    + tls.reason().name().toLowerCase(Locale.ROOT) + " (" + EndReason.messageOf(tls) + ")");
        }
        if (e instanceof StreamSourceException s) {
            return new TransferFailure(TransferExit.SOURCE_FAILED, s.isRemote()
                    ? "the sender's input failed: " + PeerText.shown(s.sourceMessage())
                    : "reading the input failed: " + s.sourceMessage() + " (the receiver was told)");
        }
        if (e instanceof StreamProtocolException p) {
            return new TransferFailure(TransferExit.FAILED, p.getMessage());
        }
        Throwable cause = e instanceof StreamBrokenException b ? b.getCause() : e;
        String text = switch (cause) {
            case PeerTimeoutException t -> peer + " vanished: " + stripPrefix(t.getMessage());
            case StreamStalledException s -> "transfer stalled: " + stripPrefix(s.getMessage());
            case ConnectionShutdownException s when s.byPeer() ->
                    peer + " shut the connection down before the stream ended";
            case ConnectionShutdownException s -> "the connection was shut down locally";
            case EndOfStreamException x -> peer + " closed the connection before the stream ended";
            case TruncatedFrameException x -> peer + " closed the connection in the middle of a frame";
            case ConnectionResetException x -> "connection reset by " + peer;
            case null -> EndReason.messageOf(e);
            default -> EndReason.messageOf(cause);
        };
        return new TransferFailure(TransferExit.FAILED, text);
    }

    /** The TLS handshake failure among {@code e} and its causes, or null. */
    static TlsHandshakeException tlsHandshakeFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TlsHandshakeException h) {
                return h;
            }
        }
        return null;
    }

    private static String stripPrefix(String message) {
        return message.startsWith("frameconn: ") ? message.substring("frameconn: ".length()) : message;
    }
}
