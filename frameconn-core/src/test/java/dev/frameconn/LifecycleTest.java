package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.ConnectionShutdownException.Initiator;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Lifecycle}'s state machine driven directly, no sockets: each transition and what it reports. */
@Timeout(10)
class LifecycleTest {
    private final Lifecycle life = new Lifecycle();
    private final ShutdownResult result = new ShutdownResult(true, null, null, 0, false, false, Duration.ZERO);

    @Test
    void openReportsNothing() {
        assertThat(life.isShuttingDown()).isFalse();
        assertThat(life.initiator()).isNull();
        assertThat(life.started()).isFalse();
        assertThat(life.isClosed()).isFalse();
        assertThat(life.peerReason()).isNull();
        assertThat(life.peerRstSeen()).isFalse();
        // a call that fails while nothing began (a close racing it) blames the local side
        assertThat(life.shuttingDown().initiator()).isEqualTo(Initiator.LOCAL);
        IOException cause = new IOException("closed under");
        ConnectionShutdownException e = life.closedUnder(cause);
        assertThat(e.initiator()).isEqualTo(Initiator.LOCAL);
        assertThat(e.getCause()).isSameAs(cause);
    }

    @Test
    void thePeersRstBeginsAShutdownByThePeer() {
        ShutdownReason reason = ShutdownReason.of(ShutdownReason.GOING_AWAY, "bye");
        ConnectionShutdownException e = life.peerSentRst(reason);
        assertThat(e.initiator()).isEqualTo(Initiator.PEER);
        assertThat(e.peerReason()).contains(reason);
        assertThat(life.isShuttingDown()).isTrue();
        assertThat(life.initiator()).isEqualTo(Initiator.PEER);
        assertThat(life.peerReason()).isEqualTo(reason);
        assertThat(life.peerRstSeen()).isTrue();
        assertThat(life.started()).as("the local shutdown has not begun").isFalse();
        assertThat(life.closedUnder(new IOException()).initiator()).isEqualTo(Initiator.PEER);

        assertThat(life.begin()).isTrue();
        assertThat(life.initiator()).as("the peer came first").isEqualTo(Initiator.PEER);
    }

    @Test
    void aLocalShutdownStaysLocalWhenTheRstFollows() {
        assertThat(life.begin()).isTrue();
        assertThat(life.initiator()).isEqualTo(Initiator.LOCAL);
        assertThat(life.isShuttingDown()).isTrue();
        assertThat(life.started()).isTrue();
        assertThat(life.begin()).as("second caller").isFalse();

        ConnectionShutdownException e = life.peerSentRst(null);
        assertThat(e.initiator()).isEqualTo(Initiator.LOCAL);
        assertThat(life.peerRstSeen()).isTrue();
        assertThat(life.peerReason()).isNull();
    }

    @Test
    void theDrainSeeingAnRstMarksOnlyThat() {
        life.peerRstDrained();
        assertThat(life.peerRstSeen()).isTrue();
        assertThat(life.isShuttingDown()).isFalse();
        assertThat(life.peerReason()).isNull();
    }

    @Test
    void laterCallersWaitForTheFirstCallersResult() throws Exception {
        assertThat(life.begin()).isTrue();
        CompletableFuture<ShutdownResult> later = CompletableFuture.supplyAsync(life::awaitResult);
        assertThat(life.isClosed()).isFalse();
        life.markClosed();
        assertThat(life.isClosed()).isTrue();
        life.finish(result);
        assertThat(later.get(5, TimeUnit.SECONDS)).isSameAs(result);
        assertThat(life.awaitResult()).isSameAs(result);
    }

    @Test
    void anInterruptDoesNotEndTheWaitAndIsKept() throws Exception {
        assertThat(life.begin()).isTrue();
        CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        CompletableFuture<ShutdownResult> got = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            got.complete(life.awaitResult());
            interruptedAfter.complete(Thread.currentThread().isInterrupted());
        });
        // interrupt it while it waits: it must keep waiting
        while (waiter.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        waiter.interrupt();
        while (!waiter.isInterrupted() && waiter.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        assertThat(got).isNotDone();
        life.finish(result);
        assertThat(got.get(5, TimeUnit.SECONDS)).isSameAs(result);
        assertThat(interruptedAfter.get(5, TimeUnit.SECONDS)).as("interrupt status restored").isTrue();
    }
}
