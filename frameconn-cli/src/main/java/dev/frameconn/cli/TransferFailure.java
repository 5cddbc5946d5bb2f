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

/**
 * One clear line for a failed transfer, and its exit status. The library's
 * exception types tell the cases apart; this only words them for people.
 */
record TransferFailure(int exit, String message) {

    /** Describes a failure of the stream or of the connection under it. */
    static TransferFailure of(Throwable e, String peer) {
        if (e instanceof StreamSourceException s) {
            return new TransferFailure(TransferExit.SOURCE_FAILED, s.isRemote()
                    ? "the sender's input failed: " + s.sourceMessage()
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

    private static String stripPrefix(String message) {
        return message.startsWith("frameconn: ") ? message.substring("frameconn: ".length()) : message;
    }
}
