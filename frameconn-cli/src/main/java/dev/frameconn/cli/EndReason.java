package dev.frameconn.cli;

import dev.frameconn.ConnectionBrokenException;
import dev.frameconn.ConnectionResetException;
import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.FrameConnException;
import dev.frameconn.FrameProtocolException;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.FrameTooLargeException;
import dev.frameconn.HandshakeException;
import dev.frameconn.ShutdownReason;
import dev.frameconn.TruncatedFrameException;
import dev.frameconn.heartbeat.HeartbeatProtocolException;
import dev.frameconn.heartbeat.PeerTimeoutException;
import dev.frameconn.heartbeat.StreamStalledException;
import dev.frameconn.stream.StreamException;
import java.util.Optional;

/**
 * How a connection ended, as the tools report it: the exception that ended the
 * reading or writing, reduced to a stable label for scripts ({@link #label()},
 * the {@code reason} of the JSON {@code end} event).
 */
enum EndReason {
    /** The peer sent RST: the start of a clean shutdown handshake. */
    PEER_SHUTDOWN("peer_shutdown"),
    /** The peer closed its side at a frame boundary without RST. */
    EOF("eof"),
    /** The stream ended inside a frame header or payload. */
    TRUNCATED("truncated"),
    /** The peer announced a payload longer than the maximum. */
    FRAME_TOO_LARGE("frame_too_large"),
    /** The peer broke the framing protocol, e.g. with a reserved frame type other than RST. */
    PROTOCOL_ERROR("protocol_error"),
    /** No progress for the idle timeout, or a deadline passed. */
    TIMEOUT("timeout"),
    /** The peer reset the connection (TCP RST, broken pipe). */
    RESET("reset"),
    /** Any other I/O failure. */
    IO_ERROR("io_error"),
    /**
     * This side shut the connection down first. Only seen when the tool itself
     * is being stopped (a listener interrupted by a signal).
     */
    LOCAL_SHUTDOWN("local_shutdown");

    private final String label;

    EndReason(String label) {
        this.label = label;
    }

    /** The label scripts see, e.g. {@code peer_shutdown}. */
    String label() {
        return label;
    }

    /**
     * The reason for an exception thrown by a read or write. A
     * {@link ConnectionBrokenException} is judged by the failure that broke the
     * connection, which is its cause.
     */
    static EndReason of(Throwable failure) {
        Throwable e = failure;
        while (e instanceof ConnectionBrokenException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof FrameConnException f) {
            return switch (f) {
                case ConnectionShutdownException s -> s.byPeer() ? PEER_SHUTDOWN : LOCAL_SHUTDOWN;
                case EndOfStreamException x -> EOF;
                case TruncatedFrameException x -> TRUNCATED;
                case FrameTooLargeException x -> FRAME_TOO_LARGE;
                case FrameProtocolException x -> PROTOCOL_ERROR;
                case FrameTimeoutException x -> TIMEOUT;
                case ConnectionResetException x -> RESET;
                case ConnectionBrokenException x -> IO_ERROR; // broken without a cause: nothing better to say
                // the layers above the frames: their labels stay what they were before they joined
                // the family, because scripts match on them
                case PeerTimeoutException x -> IO_ERROR;
                case StreamStalledException x -> IO_ERROR;
                case HeartbeatProtocolException x -> IO_ERROR;
                case StreamException x -> IO_ERROR;
                case HandshakeException x -> IO_ERROR;
            };
        }
        return IO_ERROR;
    }

    /**
     * The reason the peer put in its RST (a code and a message; the peer's own
     * account of why it shut down), if the failure is that RST and it carried one.
     */
    static Optional<ShutdownReason> peerReasonOf(Throwable failure) {
        return failure instanceof ConnectionShutdownException s ? s.peerReason() : Optional.empty();
    }

    /**
     * The message to show with the reason: the exception's own, or its class
     * name if it has none; {@linkplain PeerText#clean cleaned}, as it may quote
     * the peer (the message of its RST, up to 256 bytes).
     */
    static String messageOf(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank()
                ? failure.getClass().getSimpleName() : PeerText.clean(message);
    }
}
