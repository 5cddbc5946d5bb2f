package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.heartbeat.ManualTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every decision of the write path's hand-off policy, under a manual clock:
 * no sleeps, no threads but the ones a test starts itself.
 */
@Timeout(10)
class HandoffPolicyTest {
    private static final long SLOW = HandoffPolicy.HANDOFF_MIN_WRITE_NANOS; // just worth a hand-off
    private static final long CHEAP = HandoffPolicy.HANDOFF_MIN_WRITE_NANOS - 1;
    private static final long BACK_TO_BACK = HandoffPolicy.STREAMING_WINDOW_NANOS - 1;
    private final ManualTicker clock = new ManualTicker();
    private final HandoffPolicy policy = new HandoffPolicy(clock);

    /** A caller takes the pen after {@code gap}, asks the policy, and (if it writes itself) writes for {@code took}. */
    private boolean callerWrites(long gap, long took) {
        clock.advance(Duration.ofNanos(gap));
        policy.penTaken();
        if (policy.handOff()) {
            return true;
        }
        clock.advance(Duration.ofNanos(took));
        policy.penDropped();
        return false;
    }

    /** A flusher runs with {@code writes} writes of {@code took} each, and lets go; true if it quit for cheap writes. */
    private boolean flusherRuns(int writes, long took) {
        policy.flusherStarted();
        boolean quit = false;
        for (int i = 0; i < writes && !quit; i++) {
            long began = policy.now();
            clock.advance(Duration.ofNanos(took));
            policy.flusherWrote(began);
            quit = policy.flusherQuits();
        }
        policy.penDropped();
        return quit;
    }

    @Test
    void slowBackToBackWritesHandOffOnTheStreakthCall() {
        assertThat(callerWrites(1_000_000, SLOW)).as("a first write, after a pause").isFalse();
        for (int i = 1; i < HandoffPolicy.STREAK; i++) {
            assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("back-to-back write %d", i).isFalse();
        }
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("write %d in a row", HandoffPolicy.STREAK).isTrue();
    }

    @Test
    void aPauseAsLongAsTheWindowStartsTheStreakAgain() {
        callerWrites(BACK_TO_BACK, SLOW);
        callerWrites(BACK_TO_BACK, SLOW);
        assertThat(callerWrites(HandoffPolicy.STREAMING_WINDOW_NANOS, SLOW)).isFalse();
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).isFalse();
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).isFalse();
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).isTrue();
    }

    @Test
    void cheapWritesStayWithTheCaller() {
        for (int i = 0; i < 100; i++) {
            assertThat(callerWrites(BACK_TO_BACK, CHEAP)).as("write %d", i).isFalse();
        }
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("the write before was cheap").isFalse();
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("now the last write was slow").isTrue();
    }

    @Test
    void aReadBetweenWritesOnTheSameThreadIsRequestAndResponse() {
        for (int i = 0; i < 10; i++) {
            policy.noteRead();
            assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("write %d answers a read", i).isFalse();
        }
    }

    @Test
    void aReadOnAnotherThreadDoesNotCount() throws Exception {
        callerWrites(1_000_000, SLOW);
        for (int i = 1; i < HandoffPolicy.STREAK; i++) {
            callerWrites(BACK_TO_BACK, SLOW);
        }
        Thread reader = new Thread(policy::noteRead);
        reader.start();
        reader.join();
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).isTrue();
    }

    @Test
    void aReaderThatEndedIsNotKeptReachable() throws Exception {
        // a heartbeat reader hands on to a fresh thread after each heartbeat: the one that ended
        // must not stay reachable from its connection for as long as nobody writes
        Thread reader = Thread.ofVirtual().unstarted(policy::noteRead);
        java.lang.ref.WeakReference<Thread> ended = new java.lang.ref.WeakReference<>(reader);
        reader.start();
        reader.join();
        reader = null;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ended.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(ended.get()).as("the ended reader").isNull();
        assertThat(policy).isNotNull(); // kept reachable to the end: what it holds is what is checked
    }

    @Test
    void theFlushersLongHoldDoesNotCountAsTheCallersWriteTime() {
        streamUntilHandOff(SLOW);
        // a flusher that held the pen for no time at all: as a caller's write it would be cheap
        assertThat(flusherRuns(1, 0)).isFalse();
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("the caller's own last write was slow").isTrue();
    }

    @Test
    void aFlusherWithCheapWritesQuitsAndHoldsTheNextHandOffsBackDoublingEachTime() {
        int hold = HandoffPolicy.HOLD_AFTER_QUIT;
        for (int quit = 0; quit < 3; quit++) {
            streamUntilHandOff(SLOW);
            assertThat(flusherRuns(HandoffPolicy.CHEAP_WRITES_TO_QUIT - 1, CHEAP)).as("one cheap write short").isFalse();
            streamUntilHandOff(SLOW);
            assertThat(flusherRuns(HandoffPolicy.CHEAP_WRITES_TO_QUIT, CHEAP)).as("quit %d", quit).isTrue();
            assertThat(policy.hold()).isEqualTo(hold);
            for (int i = 0; i < hold; i++) {
                assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("direct write %d of the hold %d", i, hold).isFalse();
            }
            assertThat(policy.hold()).isZero();
            assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("the hold is over").isTrue();
            policy.penDropped();
            hold *= 2;
        }
    }

    @Test
    void aSlowFlusherWriteBringsTheHoldBackToItsStart() {
        streamUntilHandOff(SLOW);
        flusherRuns(HandoffPolicy.CHEAP_WRITES_TO_QUIT, CHEAP);
        for (int i = 0; i <= HandoffPolicy.HOLD_AFTER_QUIT; i++) {
            callerWrites(BACK_TO_BACK, SLOW);
        }
        // handed off again; this flusher writes slowly once, then cheaply until it quits
        policy.flusherStarted();
        long began = policy.now();
        clock.advance(Duration.ofNanos(SLOW));
        policy.flusherWrote(began);
        assertThat(policy.flusherQuits()).isFalse();
        for (int i = 0; i < HandoffPolicy.CHEAP_WRITES_TO_QUIT; i++) {
            began = policy.now();
            clock.advance(Duration.ofNanos(CHEAP));
            policy.flusherWrote(began);
        }
        assertThat(policy.flusherQuits()).isTrue();
        assertThat(policy.hold()).as("not doubled: a slow write was seen").isEqualTo(HandoffPolicy.HOLD_AFTER_QUIT);
    }

    @Test
    void theHoldNeverExceedsItsMaximum() {
        for (int quit = 0; quit < 40; quit++) {
            policy.flusherStarted();
            for (int i = 0; i < HandoffPolicy.CHEAP_WRITES_TO_QUIT; i++) {
                long began = policy.now();
                policy.flusherWrote(began);
            }
            assertThat(policy.flusherQuits()).isTrue();
            assertThat(policy.hold()).isBetween(HandoffPolicy.HOLD_AFTER_QUIT, HandoffPolicy.MAX_HOLD_AFTER_QUIT);
        }
        assertThat(policy.hold()).isEqualTo(HandoffPolicy.MAX_HOLD_AFTER_QUIT);
    }

    @Test
    void theLingerLastsItsTimeOnTheTicker() {
        long deadline = policy.lingerDeadline();
        assertThat(policy.left(deadline)).isEqualTo(HandoffPolicy.LINGER_NANOS);
        clock.advance(Duration.ofNanos(HandoffPolicy.LINGER_NANOS - 1));
        assertThat(policy.left(deadline)).isEqualTo(1);
        clock.advance(Duration.ofNanos(1));
        assertThat(policy.left(deadline)).isNotPositive();
    }

    @Test
    void aFailedHandOffLeavesTheCallerWriting() {
        streamUntilHandOff(SLOW);
        policy.handOffFailed();
        clock.advance(Duration.ofNanos(CHEAP));
        policy.penDropped(); // the caller's own write: its time counts again
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("last write was cheap").isFalse();
    }

    @Test
    void aLostPenEndsTheFlushersHold() {
        AtomicBoolean handedOff = new AtomicBoolean(streamUntilHandOff(SLOW));
        assertThat(handedOff).isTrue();
        policy.penLost(); // the flusher's write failed
        policy.penTaken();
        clock.advance(Duration.ofNanos(CHEAP));
        policy.penDropped();
        assertThat(callerWrites(BACK_TO_BACK, SLOW)).as("the cheap hold after the loss counted as the caller's").isFalse();
    }

    /** Writes back to back until the policy hands off; the pen is then the flusher's. */
    private boolean streamUntilHandOff(long took) {
        for (int i = 0; i < 2 * HandoffPolicy.STREAK; i++) {
            if (callerWrites(BACK_TO_BACK, took)) {
                return true;
            }
        }
        throw new AssertionError("no hand-off after " + 2 * HandoffPolicy.STREAK + " back-to-back writes");
    }
}
