package dev.frameconn;

import java.util.Optional;

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

    /** Who began the shutdown. */
    private final Initiator initiator;
    /** The reason in the peer's RST; null if none was given. */
    private final ShutdownReason peerReason;

    ConnectionShutdownException(Initiator initiator, ShutdownReason peerReason) {
        super(message(initiator, peerReason));
        this.initiator = initiator;
        this.peerReason = peerReason;
    }

    ConnectionShutdownException(Initiator initiator, ShutdownReason peerReason, Throwable cause) {
        this(initiator, peerReason);
        initCause(cause);
    }

    private static String message(Initiator initiator, ShutdownReason peerReason) {
        if (initiator == Initiator.LOCAL) {
            return "frameconn: shutting down: shut down or closed locally";
        }
        return "frameconn: shutting down: the peer sent RST"
                + (peerReason == null ? " (no reason given)" : " (" + peerReason + ")");
    }

    /**
     * The reason the peer gave in its RST, if it sent one and gave one.
     *
     * @return the peer's reason, or empty
     */
    public Optional<ShutdownReason> peerReason() {
        return Optional.ofNullable(peerReason);
    }

    /**
     * Who began the shutdown.
     *
     * @return {@link Initiator#LOCAL} or {@link Initiator#PEER}
     */
    public Initiator initiator() {
        return initiator;
    }

    /**
     * True if the peer began it by sending RST.
     *
     * @return whether the peer's RST began the shutdown
     */
    public boolean byPeer() {
        return initiator == Initiator.PEER;
    }
}
