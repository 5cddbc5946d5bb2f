package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.time.Ticker;
import dev.frameconn.transport.Transport;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ReadSpin} under a clock that the polls themselves move: each poll of the scripted
 * transport takes {@code step} ns, or {@code jump} ns once (the thread lost its CPU). No sockets,
 * no waiting: the budget's bound, the back-off after a lost CPU, its doubling and its reset.
 */
@Timeout(10)
class ReadSpinBackoffTest {
    private static final long US = 1_000;
    private static final long MS = 1_000_000;

    @Test
    void bytesAlreadyWaitingEndTheSpinAtTheFirstPoll() throws Exception {
        Clock clock = new Clock(0);
        Polls wire = new Polls(clock, US).bytesAfter(0);
        assertThat(new ReadSpin(MS, clock).await(wire)).isTrue();
        assertThat(wire.polls).isEqualTo(1);
    }

    @Test
    void bytesArrivingWithinTheBudgetAreSeenAtTheNextPoll() throws Exception {
        Clock clock = new Clock(0);
        Polls wire = new Polls(clock, US).bytesAfter(40);
        ReadSpin spin = new ReadSpin(MS, clock);
        assertThat(spin.await(wire)).isTrue();
        assertThat(wire.polls).isEqualTo(41);
        assertThat(spin.backoffs()).isZero();
    }

    @Test
    void theSpinEndsExactlyWhenTheBudgetIsSpent() throws Exception {
        Clock clock = new Clock(0);
        Polls wire = new Polls(clock, US); // never any bytes
        ReadSpin spin = new ReadSpin(100 * US, clock);
        assertThat(spin.await(wire)).isFalse();
        assertThat(wire.polls).as("polls 1 µs apart in a 100 µs budget").isEqualTo(100);
        assertThat(spin.backoffs()).as("one spent budget is not a reason to stop").isZero();

        wire.polls = 0;
        assertThat(spin.await(wire)).as("the next read spins again").isFalse();
        assertThat(wire.polls).isEqualTo(100);
        assertThat(spin.backoffs()).as("two spent budgets in a row back off").isEqualTo(1);

        wire.polls = 0;
        assertThat(spin.await(wire)).isFalse();
        assertThat(wire.polls).as("backed off: the read parks without polling").isZero();
        clock.now += ReadSpin.MIN_BACKOFF_NANOS;
        assertThat(spin.await(wire)).isFalse();
        assertThat(wire.polls).as("spinning again after the back-off").isEqualTo(100);
    }

    @Test
    void bytesBetweenTwoSpentBudgetsKeepTheReaderSpinning() throws Exception {
        Clock clock = new Clock(0);
        ReadSpin spin = new ReadSpin(100 * US, clock);
        assertThat(spin.await(new Polls(clock, US))).isFalse();
        assertThat(spin.await(new Polls(clock, US).bytesAfter(5))).isTrue();
        assertThat(spin.await(new Polls(clock, US))).isFalse();
        assertThat(spin.backoffs()).as("the misses were not in a row").isZero();
        Polls wire = new Polls(clock, US).bytesAfter(0);
        assertThat(spin.await(wire)).isTrue();
        assertThat(wire.polls).isEqualTo(1);
    }

    @Test
    void pollsExactlyThePreemptionGapApartAreNotALostCpu() throws Exception {
        Clock clock = new Clock(0);
        Polls wire = new Polls(clock, ReadSpin.PREEMPTED_NANOS);
        ReadSpin spin = new ReadSpin(20 * ReadSpin.PREEMPTED_NANOS, clock);
        assertThat(spin.await(wire)).isFalse();
        assertThat(wire.polls).isEqualTo(20);
        assertThat(spin.backoffs()).isZero();
    }

    @Test
    void aLostCpuStopsSpinningForTheBackoffThenSpinningResumes() throws Exception {
        Clock clock = new Clock(0);
        Polls wire = new Polls(clock, US).jumpAt(5, ReadSpin.PREEMPTED_NANOS + 1);
        ReadSpin spin = new ReadSpin(MS, clock);
        assertThat(spin.await(wire)).isFalse();
        assertThat(wire.polls).as("the spin stops at the late poll").isEqualTo(5);
        assertThat(spin.backoffs()).isEqualTo(1);
        long lost = clock.now;

        wire.polls = 0;
        clock.now = lost + ReadSpin.MIN_BACKOFF_NANOS - 1;
        assertThat(spin.await(wire)).isFalse();
        assertThat(wire.polls).as("backed off: the read parks without polling").isZero();

        clock.now = lost + ReadSpin.MIN_BACKOFF_NANOS;
        wire.bytesAfter(3);
        assertThat(spin.await(wire)).isTrue();
        assertThat(wire.polls).as("spinning again once the back-off has passed").isEqualTo(4);
    }

    @Test
    void theBackoffDoublesWithEachLossInARowUpToTheLongest() throws Exception {
        Clock clock = new Clock(0);
        ReadSpin spin = new ReadSpin(MS, clock);
        long expected = ReadSpin.MIN_BACKOFF_NANOS;
        for (int loss = 1; loss <= 12; loss++) {
            assertThat(backoffAfterLoss(spin, clock)).as("back-off after loss %d", loss).isEqualTo(expected);
            expected = Math.min(expected * 2, ReadSpin.MAX_BACKOFF_NANOS);
        }
        assertThat(expected).isEqualTo(ReadSpin.MAX_BACKOFF_NANOS);
        assertThat(spin.backoffs()).isEqualTo(12);
    }

    @Test
    void aLongStreakOfGoodSpinsStartsTheBackoffFromTheMinimumAgain() throws Exception {
        Clock clock = new Clock(0);
        ReadSpin spin = new ReadSpin(MS, clock);
        backoffAfterLoss(spin, clock);
        backoffAfterLoss(spin, clock); // the next loss would back off 40 ms

        // backoffAfterLoss ends with one good spin (its probe that finds the back-off over)
        goodSpins(spin, clock, ReadSpin.GOOD_STREAK - 2);
        assertThat(backoffAfterLoss(spin, clock)).as("one spin short of the streak").isEqualTo(40 * MS);

        goodSpins(spin, clock, ReadSpin.GOOD_STREAK - 1);
        assertThat(backoffAfterLoss(spin, clock)).isEqualTo(ReadSpin.MIN_BACKOFF_NANOS);
    }

    @Test
    void aTransportThatCannotTellEndsTheSpinAtOnce() throws Exception {
        Clock clock = new Clock(0);
        Polls wire = new Polls(clock, US).unknown();
        assertThat(new ReadSpin(MS, clock).await(wire)).isTrue();
        assertThat(wire.polls).isEqualTo(1);
    }

    @Test
    void aClockThatReadsNegativeSpinsFromTheStart() throws Exception {
        // System.nanoTime() may be negative: a back-off deadline that starts at 0 would block spinning
        Clock clock = new Clock(Long.MIN_VALUE / 2);
        Polls wire = new Polls(clock, US).bytesAfter(2);
        assertThat(new ReadSpin(MS, clock).await(wire)).isTrue();
        assertThat(wire.polls).isEqualTo(3);
    }

    @Test
    void theBudgetMustBePositive() {
        assertThatThrownBy(() -> new ReadSpin(0, new Clock(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("budgetNanos=0 must be > 0");
    }

    /** Makes {@code spin} lose its CPU once, and returns how long it then stays backed off. */
    private static long backoffAfterLoss(ReadSpin spin, Clock clock) throws Exception {
        long before = spin.backoffs();
        assertThat(spin.await(new Polls(clock, US).jumpAt(1, ReadSpin.PREEMPTED_NANOS + 1))).isFalse();
        assertThat(spin.backoffs()).isEqualTo(before + 1);
        long lost = clock.now;
        Polls probe = new Polls(clock, US).bytesAfter(0);
        long backoff = 0;
        for (long step = MS; ; backoff += step) {
            clock.now = lost + backoff;
            if (spin.await(probe)) {
                break;
            }
            assertThat(probe.polls).isZero();
        }
        return backoff;
    }

    private static void goodSpins(ReadSpin spin, Clock clock, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            assertThat(spin.await(new Polls(clock, US).bytesAfter(1))).isTrue();
        }
    }

    /** A clock that only the polls (and the test) move. */
    private static final class Clock implements Ticker {
        long now;

        Clock(long start) {
            now = start;
        }

        @Override
        public long nanoTime() {
            return now;
        }
    }

    /** A transport that only answers {@code available()}: scripted, each poll moving the clock. */
    private static final class Polls implements Transport {
        private final Clock clock;
        private final long step;
        private long bytesAfter = Long.MAX_VALUE;
        private long jumpAt = -1;
        private long jump;
        private boolean unknown;
        long polls;

        Polls(Clock clock, long step) {
            this.clock = clock;
            this.step = step;
        }

        Polls bytesAfter(long n) {
            bytesAfter = n;
            return this;
        }

        Polls jumpAt(long poll, long nanos) {
            jumpAt = poll;
            jump = nanos;
            return this;
        }

        Polls unknown() {
            unknown = true;
            return this;
        }

        @Override
        public int available() {
            long n = polls++;
            clock.now += n + 1 == jumpAt ? jump : step;
            if (unknown) {
                return -1;
            }
            return n >= bytesAfter ? 1 : 0;
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdownOutput() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}

        @Override
        public void abort() {}

        @Override
        public boolean isOpen() {
            return true;
        }
    }
}
