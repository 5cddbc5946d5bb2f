package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.heartbeat.ManualTicker;
import dev.frameconn.metrics.InMemoryMetrics;
import dev.frameconn.metrics.ShutdownStep;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each step of {@code ShutdownSequence} failing on its own, over a scripted
 * in-memory transport (the failures a real socket gives only by chance): which
 * step is reported, with which error, counted where, and whether the transport
 * is aborted; the reason sent for a read side that broke; what close() leaves.
 */
@Timeout(10)
class ShutdownStepsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final InMemoryMetrics metrics = new InMemoryMetrics();
    private final ManualTicker ticker = new ManualTicker();

    @Test
    void aResetWhileHalfClosingAbortsAtCloseWrite() {
        MemoryTransport wire = new MemoryTransport(new byte[0]);
        wire.shutdownOutputFails = new IOException("Broken pipe");
        ShutdownResult result = conn(wire).shutdown(TIMEOUT);
        assertThat(result.clean()).isFalse();
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.CLOSE_WRITE);
        assertThat(result.error()).isInstanceOf(ConnectionResetException.class).hasCause(wire.shutdownOutputFails);
        assertThat(metrics.hardCloses(ShutdownStep.CLOSE_WRITE)).isEqualTo(1);
        assertThat(wire.aborted).isTrue();
        assertThat(wire.written()).as("the RST went out first").startsWith(header(FrameHeader.RST, 0));
    }

    @Test
    void aResetWhenClosingIsNoError() {
        MemoryTransport wire = new MemoryTransport(new byte[0]);
        wire.closeFails = new IOException("Connection reset by peer");
        ShutdownResult result = conn(wire).shutdown(TIMEOUT);
        assertThat(result.clean()).isTrue();
        assertThat(result.error()).isNull();
        assertThat(metrics.closeErrors()).isZero();
        assertThat(wire.aborted).isFalse();
    }

    @Test
    void anotherErrorWhenClosingIsReportedAtClose() {
        MemoryTransport wire = new MemoryTransport(new byte[0]);
        wire.closeFails = new IOException("Input/output error");
        ShutdownResult result = conn(wire).shutdown(TIMEOUT);
        assertThat(result.clean()).isFalse();
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.CLOSE);
        assertThat(result.error()).isSameAs(wire.closeFails);
        assertThat(metrics.closeErrors(ShutdownStep.CLOSE)).isEqualTo(1);
        assertThat(metrics.hardCloses()).isZero();
        assertThat(wire.aborted).as("a failed close is not followed by an abort").isFalse();
    }

    @Test
    void aProtocolErrorIsTheReasonSentAndTheDrainIsSkipped() {
        byte[] bad = header(0x2000_0000, 0);
        MemoryTransport wire = new MemoryTransport(bad);
        FrameConn conn = conn(wire);
        assertThatThrownBy(conn::readFrame).isInstanceOf(FrameProtocolException.class);
        ShutdownResult result = conn.shutdown(TIMEOUT);
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.DRAIN);
        assertThat(result.error()).isInstanceOf(ConnectionBrokenException.class)
                .hasCauseInstanceOf(FrameProtocolException.class);
        assertThat(result.drainedBytes()).isZero();
        assertThat(metrics.hardCloses(ShutdownStep.DRAIN)).isEqualTo(1);
        assertThat(wire.aborted).isTrue();
        assertThat(sentReason(wire)).isEqualTo(ShutdownReason.PROTOCOL_ERROR);
    }

    @Test
    void anOversizedFrameIsTheReasonSent() {
        MemoryTransport wire = new MemoryTransport(header(1, 5000));
        FrameConn conn = FrameConn.over(wire, config().withMaxPayloadLength(4096));
        assertThatThrownBy(conn::readFrame).isInstanceOf(FrameTooLargeException.class);
        ShutdownResult result = conn.shutdown(TIMEOUT);
        assertThat(result.failedStep()).isEqualTo(ShutdownStep.DRAIN);
        assertThat(sentReason(wire)).isEqualTo(ShutdownReason.FRAME_TOO_LARGE);
    }

    @Test
    void aReasonGivenIsKeptOverTheBrokenReadSide() {
        MemoryTransport wire = new MemoryTransport(header(0x2000_0000, 0));
        FrameConn conn = conn(wire);
        assertThatThrownBy(conn::readFrame).isInstanceOf(FrameProtocolException.class);
        conn.shutdown(TIMEOUT, ShutdownReason.of(ShutdownReason.GOING_AWAY, "bye"));
        assertThat(sentReason(wire)).isEqualTo(ShutdownReason.GOING_AWAY);
    }

    @Test
    void aCleanShutdownClosesAndCountsTheDrain() {
        MemoryTransport wire = new MemoryTransport(header(FrameHeader.RST, 0));
        FrameConn conn = conn(wire);
        ShutdownResult result = conn.shutdown(TIMEOUT);
        assertThat(result.clean()).isTrue();
        assertThat(result.peerAnswered()).isTrue();
        assertThat(result.peerInitiated()).isFalse();
        assertThat(result.drainedBytes()).isEqualTo(8);
        assertThat(wire.closed).isTrue();
        assertThat(wire.aborted).isFalse();
        assertThat(metrics.shutdowns()).isEqualTo(1);
        assertThat(metrics.drains()).isEqualTo(1);
        assertThat(conn.isOpen()).isFalse();
        assertThat(conn.toString()).endsWith(", closed]");
        // the manual clock stands still: every duration is zero, not a sum of clock readings
        assertThat(result.duration()).isEqualTo(Duration.ZERO);
        assertThat(metrics.shutdownNanos()).isZero();
        assertThat(metrics.drainNanos()).isZero();
        assertThat(conn.shutdown(TIMEOUT)).as("a second call gets the first result").isSameAs(result);
    }

    @Test
    void thePeersRstFirstMakesAShutdownPeerInitiated() {
        MemoryTransport wire = new MemoryTransport(header(FrameHeader.RST, 0));
        FrameConn conn = conn(wire);
        assertThatThrownBy(conn::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class,
                e -> assertThat(e.byPeer()).isTrue());
        ShutdownResult result = conn.shutdown(TIMEOUT);
        assertThat(result.peerInitiated()).isTrue();
        assertThat(result.peerAnswered()).isTrue();
        assertThat(result.clean()).isTrue();
    }

    @Test
    void closeClosesWithoutAnRstAndEndsLaterShutdowns() {
        MemoryTransport wire = new MemoryTransport(new byte[0]);
        wire.closeFails = new IOException("ignored");
        FrameConn conn = conn(wire);
        conn.close();
        assertThat(wire.closed).isTrue();
        assertThat(conn.toString()).endsWith(", closed]");
        assertThat(wire.written()).as("close sends nothing").isEmpty();
        assertThat(conn.isOpen()).isFalse();
        ShutdownResult after = conn.shutdown(TIMEOUT);
        assertThat(after.clean()).isFalse();
        assertThat(after.failedStep()).isNull();
        assertThat(wire.aborted).as("close after close does not abort").isFalse();
        conn.close();
        assertThat(wire.aborted).isFalse();
        assertThatThrownBy(conn::readFrame).isInstanceOfSatisfying(ConnectionShutdownException.class, e -> {
            assertThat(e).hasMessage("frameconn: shutting down: shut down or closed locally");
            assertThat(e.byPeer()).as("closed locally").isFalse();
            assertThat(e.initiator()).isEqualTo(ConnectionShutdownException.Initiator.LOCAL);
            assertThat(e.peerReason()).isEmpty();
        });
    }

    @Test
    void closeCutsAShutdownInProgressShort() throws Exception {
        MemoryTransport wire = new MemoryTransport(header(FrameHeader.RST, 0));
        wire.shutdownOutputGate = new CountDownLatch(1);
        FrameConn conn = conn(wire);
        CompletableFuture<ShutdownResult> shutdown =
                CompletableFuture.supplyAsync(() -> conn.shutdown(TIMEOUT), r -> Thread.ofVirtual().start(r));
        try {
            assertThat(wire.inShutdownOutput.await(5, TimeUnit.SECONDS)).as("the shutdown reached CLOSE_WRITE").isTrue();
            assertThat(wire.aborted).isFalse();
            conn.close();
            assertThat(wire.aborted).as("close during a shutdown aborts the transport").isTrue();
        } finally {
            wire.shutdownOutputGate.countDown();
        }
        shutdown.get(5, TimeUnit.SECONDS);
        assertThat(conn.isOpen()).isFalse();
    }

    private FrameConnConfig config() {
        return FrameConnConfig.defaults().withMetrics(metrics).withTicker(ticker).withIdleTimeout(Duration.ZERO);
    }

    private FrameConn conn(MemoryTransport wire) {
        return FrameConn.over(wire, config());
    }

    /** The code of the RST the connection wrote. */
    private static int sentReason(MemoryTransport wire) {
        ByteBuffer out = ByteBuffer.wrap(wire.written());
        assertThat(FrameHeader.type(out, 0)).isEqualTo(FrameHeader.RST);
        assertThat(FrameHeader.payloadLength(out, 0)).isGreaterThanOrEqualTo(4);
        return out.getInt(FrameHeader.LENGTH);
    }

    private static byte[] header(int type, int length) {
        byte[] h = new byte[FrameHeader.LENGTH];
        FrameHeader.encode(h, 0, type, length);
        return h;
    }
}
