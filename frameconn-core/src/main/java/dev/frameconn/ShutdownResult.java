package dev.frameconn;

import dev.frameconn.metrics.ShutdownStep;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link FrameConn#shutdown} ended. Shutdown never throws for a peer or
 * network failure: the connection is closed in every case, and this record
 * says whether the handshake completed.
 *
 * @param clean true if RST was sent, the write side half-closed, the read side
 *        drained to the peer's end of stream within the deadline and the byte
 *        bound, and the final close succeeded (a reset on close is not a failure)
 * @param failedStep the step that failed and forced a hard close, or null
 * @param error what went wrong, or null when clean
 * @param drainedBytes bytes discarded while draining (including bytes read ahead before)
 * @param peerInitiated true if the peer's RST arrived before this side's shutdown began
 * @param peerAnswered true if the peer's RST was seen, before or while draining: the peer
 *        shut down as a frameconn peer should, rather than just closing the connection
 * @param duration how long the shutdown took
 */
public record ShutdownResult(
        boolean clean,
        ShutdownStep failedStep,
        Exception error,
        long drainedBytes,
        boolean peerInitiated,
        boolean peerAnswered,
        Duration duration) {

    /**
     * The failed step, if any.
     *
     * @return the failed step, or empty if every step succeeded
     */
    public Optional<ShutdownStep> failure() {
        return Optional.ofNullable(failedStep);
    }

    @Override
    public String toString() {
        return "ShutdownResult[clean=" + clean
                + (failedStep == null ? "" : ", failedStep=" + failedStep.label())
                + (error == null ? "" : ", error=" + error.getMessage())
                + ", drainedBytes=" + drainedBytes + ", peerInitiated=" + peerInitiated
                + ", peerAnswered=" + peerAnswered
                + ", duration=" + duration + "]";
    }
}
