package dev.frameconn;

/**
 * The connection is shutting down or closed: "frameconn: shutting down".
 * Thrown by reads and writes that start after a shutdown began, by the read
 * that received the peer's RST, and by every read after it.
 */
public final class ConnectionShutdownException extends FrameConnException {
    /** Who began the shutdown. */
    public enum Initiator {
        /** This side called {@code shutdown} or {@code close}. */
        LOCAL,
        /** The peer sent RST. */
        PEER
    }

    private final Initiator initiator;

    ConnectionShutdownException(Initiator initiator) {
        super(initiator == Initiator.PEER
                ? "frameconn: shutting down: the peer sent RST"
                : "frameconn: shutting down: shut down or closed locally");
        this.initiator = initiator;
    }

    ConnectionShutdownException(Initiator initiator, Throwable cause) {
        this(initiator);
        initCause(cause);
    }

    /** Who began the shutdown. */
    public Initiator initiator() {
        return initiator;
    }

    /** True if the peer began it by sending RST. */
    public boolean byPeer() {
        return initiator == Initiator.PEER;
    }
}
