package dev.frameconn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every implementation moves frames over real loopback connections and the
 * books balance. Speeds are never asserted: only counts, which {@link Ledger}
 * checks per connection (a mismatch throws).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContendersTest {
    /**
     * Timed rounds: long enough that a sender thread gets the CPU at least once on a loaded 2-CPU machine
     * (with 50 ms a Netty sender once wrote nothing and the round failed with "no frame got through").
     */
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(200);
    private static final List<NettyTransport> transports = new ArrayList<>();
    private static final List<Contender> contenders = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        contenders.add(new RawContender());
        transports.add(NettyTransport.open(Impl.NETTY_NIO, NettyTransport.POOLED));
        if (NettyTransport.epollUnavailable() == null) {
            transports.add(NettyTransport.open(Impl.NETTY_EPOLL, NettyTransport.POOLED));
        }
        for (NettyTransport t : transports) {
            contenders.add(new NettyContender(NettyOptions.of(t, Mode.PER_FRAME)));
            contenders.add(new NettyContender(NettyOptions.of(t, Mode.BATCH)));
        }
        // the --netty-sender event-loop variant, on one transport
        contenders.add(new NettyContender(NettyOptions.of(transports.get(0), Mode.PER_FRAME)
                .withEventLoopSender(true)));
        contenders.add(new NettyContender(NettyOptions.of(transports.get(0), Mode.BATCH)
                .withEventLoopSender(true)));
        contenders.add(new FrameconnContender(Mode.PER_FRAME));
        contenders.add(new FrameconnContender(Mode.BATCH));
    }

    @AfterAll
    static void tearDown() {
        contenders.forEach(Contender::close);
        transports.forEach(NettyTransport::close);
    }

    @Test
    void everyContenderMovesFramesForATimedRound() throws Exception {
        for (Contender c : contenders) {
            TransferResult result = c.transfer(4096, 1, Round.timed(SHORT), ThreadKind.PLATFORM);
            assertThat(result.totalFrames()).as(c.name()).isPositive();
            assertThat(result.totalBytes()).as(c.name()).isEqualTo(result.totalFrames() * 4096);
        }
    }

    @Test
    void everyContenderSendsExactlyItsBudgetOnEveryConnection() throws Exception {
        for (Contender c : contenders) {
            // 70 frames: one batch of 64 and a partial one, on 3 connections at once
            TransferResult result = c.transfer(1000, 3, Round.budgeted(70), ThreadKind.VIRTUAL);
            assertThat(result.frames()).as(c.name()).containsExactly(70, 70, 70);
            assertThat(result.bytes()).as(c.name()).containsExactly(70_000, 70_000, 70_000);
            assertThat(result.spread()).as(c.name()).isBetween(0.0, 1.0);
            for (int i = 0; i < 3; i++) {
                // every sender (the event-loop ones too) reports when it began, after the round's start:
                // the spread's time for a connection is shorter than the aggregate's
                assertThat(result.activeNanos()[i]).as(c.name() + " connection " + i)
                        .isLessThan(result.elapsedNanos()[i]);
            }
        }
    }

    @Test
    void everyContenderWorksWithFixedSocketBuffers() throws Exception {
        SocketBuffers.set(64 << 10);
        try {
            for (Contender c : contenders) {
                TransferResult result = c.transfer(64 << 10, 2, Round.budgeted(40), ThreadKind.VIRTUAL);
                assertThat(result.frames()).as(c.name()).containsExactly(40, 40);
            }
        } finally {
            SocketBuffers.set(0);
        }
    }

    @Test
    void gatheredPayloadsSurvivePartialWritesOnVirtualThreads() throws Exception {
        // 64 KiB payloads are gathered, not copied; virtual threads see partial writes under backpressure
        for (Contender c : contenders) {
            TransferResult result = c.transfer(64 << 10, 4, Round.budgeted(300), ThreadKind.VIRTUAL);
            assertThat(result.frames()).as(c.name()).containsExactly(300, 300, 300, 300);
        }
    }

    @Test
    void largeFramesEndOnAFrameBoundary() throws Exception {
        for (Contender c : contenders) {
            TransferResult result = c.transfer(3 << 20, 1, Round.budgeted(3), ThreadKind.PLATFORM);
            assertThat(result.totalFrames()).as(c.name()).isEqualTo(3);
        }
    }

    @Test
    void pingPongContendersMakeRoundTrips() throws Exception {
        List<String> played = new ArrayList<>();
        for (Contender c : contenders) {
            if (!c.pingPongs()) {
                continue;
            }
            PingPongResult result = c.pingPong(64, SHORT);
            assertThat(result.roundTrips()).as(c.name()).isPositive();
            assertThat(result.p50Nanos()).as(c.name()).isPositive().isLessThanOrEqualTo(result.p99Nanos());
            played.add(c.impl().label());
        }
        assertThat(played).contains("raw", "netty-nio", "frameconn");
    }

    @Test
    void ledgerRefusesAReceiverThatGotLess() throws Exception {
        Round round = Round.timed(SHORT);
        Ledger ledger = new Ledger("test", 10, 1);
        round.start();
        ledger.sent(5000, 3);
        ledger.received(5000, 2, 20, System.nanoTime());
        ledger.partyDone();
        ledger.partyDone();
        assertThatThrownBy(() -> ledger.await(round))
                .isInstanceOf(BenchmarkFailure.class)
                .hasMessageContaining("sent frames=3 but the receiver got frames=2");
    }

    @Test
    void ledgerRefusesWrongByteCounts() throws Exception {
        Round round = Round.budgeted(3);
        Ledger ledger = new Ledger("test", 10, 1);
        round.start();
        ledger.sent(5000, 3);
        ledger.received(5000, 3, 29, System.nanoTime());
        ledger.partyDone();
        ledger.partyDone();
        assertThatThrownBy(() -> ledger.await(round))
                .isInstanceOf(BenchmarkFailure.class)
                .hasMessageContaining("bytes=30 but the receiver got bytes=29");
    }
}
