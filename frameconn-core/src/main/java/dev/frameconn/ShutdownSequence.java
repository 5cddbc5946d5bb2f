package dev.frameconn;

import dev.frameconn.internal.Deadlines;
import dev.frameconn.internal.jfr.FrameConnEvents;
import dev.frameconn.metrics.FrameConnMetrics;
import dev.frameconn.metrics.ShutdownStep;
import dev.frameconn.transport.Transport;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.time.Duration;

/**
 * The two ways a connection ends: the peer-friendly {@link #shutdown} (the RST
 * handshake; {@link FrameConn#shutdown(Duration, ShutdownReason)} says why and
 * what it guarantees) and the immediate {@link #close()}. The states they move
 * through are drawn in {@link Lifecycle}; the steps of a shutdown are these,
 * each labelled as in the metrics:
 *
 * <pre>
 *   begin()                    first caller only; later ones wait for its result
 *   (disable_timeouts)         idle timeouts off        \  cannot fail: not steps
 *   (set_deadline)             deadline now + timeout   /  of their own here
 *   write_frame   RST after everything staged           --fails--&gt; abort
 *   close_write   half-close (TCP: FIN)                 --fails--&gt; abort
 *   drain         read side untrustworthy?              --yes----&gt; abort
 *                 discard to the peer's end of stream   --fails, limit--&gt; abort
 *   close         close; a reset here is no error       --fails--&gt; close error
 *   markClosed, stop the watchdog, give buffers back, finish(result)
 * </pre>
 */
final class ShutdownSequence {
    private final Transport wire;
    private final Deadlines deadlines;
    private final FrameConnMetrics metrics;
    private final long drainLimit;
    private final Lifecycle lifecycle;
    private final ErrorTranslator errors;
    private final Inbound inbound;
    private final Outbound outbound;

    ShutdownSequence(Transport wire, FrameConnConfig config, Deadlines deadlines, Lifecycle lifecycle,
            ErrorTranslator errors, Inbound inbound, Outbound outbound) {
        this.wire = wire;
        this.deadlines = deadlines;
        this.metrics = config.metrics();
        this.drainLimit = config.drainLimit();
        this.lifecycle = lifecycle;
        this.errors = errors;
        this.inbound = inbound;
        this.outbound = outbound;
    }

    /** {@link FrameConn#shutdown(Duration, ShutdownReason)}, with the arguments checked. */
    ShutdownResult shutdown(Duration timeout, ShutdownReason reason) {
        if (!lifecycle.begin()) {
            return lifecycle.awaitResult();
        }
        boolean peerFirst = lifecycle.initiator() == ConnectionShutdownException.Initiator.PEER;
        Object recording = FrameConnEvents.shutdownBegin();
        long start = deadlines.now();
        ShutdownResult result;
        try {
            result = steps(start, timeout, reason, peerFirst);
        } finally {
            lifecycle.markClosed();
            deadlines.stop();
            releaseBuffersIfIdle();
        }
        metrics.shutdownCompleted(deadlines.now() - start);
        FrameConnEvents.shutdownEnd(recording, wire.remoteAddress(), reason, lifecycle.peerReason(), result);
        lifecycle.finish(result);
        return result;
    }

    private ShutdownResult steps(long start, Duration timeout, ShutdownReason reason, boolean peerFirst) {
        IOException brokenBy = inbound.failure();
        boolean untrustworthy = brokenBy instanceof FrameProtocolException || brokenBy instanceof FrameTooLargeException;
        if (reason == null && untrustworthy) {
            reason = ShutdownReason.of(brokenBy instanceof FrameTooLargeException
                    ? ShutdownReason.FRAME_TOO_LARGE : ShutdownReason.PROTOCOL_ERROR, brokenBy.getMessage());
        }
        deadlines.setIdleTimeout(0);
        deadlines.setDeadline(start + timeout.toNanos());
        try {
            // after everything staged; waits for a writer inside, which the deadline bounds
            outbound.writeFinal(FrameHeader.RST, reason);
        } catch (IOException e) {
            return abort(ShutdownStep.WRITE_FRAME, e, 0, peerFirst, start);
        }
        try {
            wire.shutdownOutput();
        } catch (IOException e) {
            return abort(ShutdownStep.CLOSE_WRITE, errors.translate(e), 0, peerFirst, start);
        }
        if (untrustworthy) {
            return abort(ShutdownStep.DRAIN, new ConnectionBrokenException("read", brokenBy), 0, peerFirst, start);
        }
        Inbound.Drained drained = inbound.drain(drainLimit);
        metrics.shutdownDrained(drained.nanos(), drained.bytes());
        if (drained.sawRst()) {
            lifecycle.peerRstDrained();
        }
        if (drained.error() != null) {
            return abort(ShutdownStep.DRAIN, drained.error(), drained.bytes(), peerFirst, start);
        }
        try {
            wire.close();
        } catch (IOException e) {
            if (!ErrorTranslator.isReset(e)) {
                metrics.shutdownCloseError(ShutdownStep.CLOSE);
                return new ShutdownResult(false, ShutdownStep.CLOSE, e, drained.bytes(), peerFirst,
                        lifecycle.peerRstSeen(), since(start));
            }
        }
        return new ShutdownResult(true, null, null, drained.bytes(), peerFirst, lifecycle.peerRstSeen(), since(start));
    }

    /** A step failed: close abortively and count it under the step. */
    private ShutdownResult abort(ShutdownStep step, Exception error, long drained, boolean peerFirst, long start) {
        metrics.shutdownHardClose(step);
        wire.abort();
        return new ShutdownResult(false, step, error, drained, peerFirst, lifecycle.peerRstSeen(), since(start));
    }

    private Duration since(long start) {
        return Duration.ofNanos(deadlines.now() - start);
    }

    /** {@link FrameConn#close()}. */
    void close() {
        if (lifecycle.begin()) {
            lifecycle.markClosed();
            deadlines.stop();
            try {
                wire.close();
            } catch (IOException ignored) {
                // nothing useful to do: the descriptor is released either way
            }
            releaseBuffersIfIdle();
            lifecycle.finish(new ShutdownResult(false, null, null, 0, false, lifecycle.peerRstSeen(), Duration.ZERO));
        } else if (!lifecycle.isClosed()) {
            wire.abort(); // cut a shutdown in progress short
        }
    }

    /**
     * Gives the I/O buffers back once closed. A reader still inside gives its
     * buffer back itself on the way out; the write side waits briefly for a
     * writer inside, whose I/O fails at once on the closed transport.
     */
    private void releaseBuffersIfIdle() {
        inbound.releaseIfIdle();
        outbound.close();
    }
}
