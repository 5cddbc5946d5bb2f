package dev.frameconn.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arithmetic and formats around the measurements. */
class PiecesTest {

    @Test
    void rawBlockHoldsWholeFramesAtEveryFrameOffset() {
        int payload = 100;
        ByteBuffer block = Wire.rawBlock(payload);
        int frame = Wire.frameLength(payload);
        assertThat(block.capacity()).isEqualTo(frame + Wire.RAW_WRITE_SIZE);
        for (int at = 0; at + FrameHeader.LENGTH <= block.capacity(); at += frame) {
            assertThat(FrameHeader.type(block, at)).isEqualTo(Wire.TYPE);
            assertThat(FrameHeader.payloadLength(block, at)).isEqualTo(payload);
            assertThat(block.get(at + FrameHeader.LENGTH + 99)).isEqualTo((byte) 99);
        }
    }

    @Test
    void batchesAre64FramesButAtMost8MiB() {
        assertThat(Wire.batchFrames(64)).isEqualTo(64);
        assertThat(Wire.batchFrames(64 << 10)).isEqualTo(64);
        assertThat(Wire.batchFrames(512 << 10)).isEqualTo(16);
        assertThat(Wire.batchFrames(4 << 20)).isEqualTo(2);
        assertThat(Wire.batchFrames(16 << 20)).isEqualTo(1);
    }

    @Test
    void percentilesAreNearestRank() {
        long[] samples = new long[100];
        for (int i = 0; i < 100; i++) {
            samples[i] = 100L - i;
        }
        PingPongResult r = PingPongResult.of("t", samples, 100, 1_000_000_000L);
        assertThat(r.p50Nanos()).isEqualTo(50);
        assertThat(r.p99Nanos()).isEqualTo(99);
        assertThat(r.roundTripsPerSecond()).isEqualTo(100.0);
        assertThatThrownBy(() -> PingPongResult.of("t", samples, 0, 1)).isInstanceOf(BenchmarkFailure.class);
    }

    @Test
    void pingPongBooksMustBalanceWithTheEchoSide() {
        long[] samples = {3, 1, 2};
        assertThat(PingPongResult.checked("t", samples, 3, 1_000, 3, null).roundTrips()).isEqualTo(3);
        assertThatThrownBy(() -> PingPongResult.checked("t", samples, 3, 1_000, 2, null))
                .isInstanceOf(BenchmarkFailure.class).hasMessageContaining("round trips=3").hasMessageContaining("frames=2");
        IllegalStateException echoBroke = new IllegalStateException("boom");
        assertThatThrownBy(() -> PingPongResult.checked("t", samples, 3, 1_000, 3, echoBroke))
                .isInstanceOf(BenchmarkFailure.class).hasMessageContaining("echo side failed").hasCause(echoBroke);
    }

    @Test
    void spreadIsSlowestOverFastest() {
        TransferResult r = new TransferResult(10, new long[] {1000, 500}, new long[] {100, 50},
                new long[] {1_000_000, 1_000_000}, new long[] {1_000_000, 1_000_000});
        assertThat(r.spread()).isEqualTo(0.5);
        assertThat(r.mbPerSecond()).isEqualTo(1.5); // 1500 bytes in 1 ms
        assertThat(r.framesPerSecond()).isEqualTo(150_000.0);
    }

    @Test
    void spreadCountsEachConnectionFromItsSendersStartButTheAggregateFromTheRounds() {
        // the second sender began half-way: over its active half millisecond it was as fast as the first
        TransferResult r = new TransferResult(10, new long[] {1000, 500}, new long[] {100, 50},
                new long[] {1_000_000, 1_000_000}, new long[] {1_000_000, 500_000});
        assertThat(r.spread()).isEqualTo(1.0);
        assertThat(r.mbPerSecond()).isEqualTo(1.5);
    }

    @Test
    void roundLetsEveryWaitingSenderGoAtOnceAndTellsWhen() throws Exception {
        Round round = Round.timed(1_000_000);
        int senders = 64;
        long[] began = new long[senders];
        Thread[] threads = new Thread[senders];
        java.util.concurrent.CountDownLatch parked = new java.util.concurrent.CountDownLatch(senders);
        for (int i = 0; i < senders; i++) {
            int k = i;
            threads[i] = Thread.ofVirtual().start(() -> {
                parked.countDown();
                try {
                    began[k] = round.awaitGo();
                } catch (InterruptedException e) {
                    began[k] = -1;
                }
            });
        }
        parked.await();
        long start = round.start();
        for (Thread t : threads) {
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }
        for (long b : began) {
            assertThat(b).isGreaterThanOrEqualTo(start);
        }
        assertThat(round.awaitGo()).as("after the start nobody waits").isGreaterThanOrEqualTo(start);
    }

    @Test
    void medianMinMax() {
        assertThat(Measurement.Summary.of(List.of(3.0, 1.0, 2.0))).isEqualTo(new Measurement.Summary(2, 1, 3));
        assertThat(Measurement.Summary.of(List.of(4.0, 1.0, 2.0, 3.0)).median()).isEqualTo(2.5);
    }

    @Test
    void pingPongCpuIsAPercentOfOneCoreAndOnlyWhenMeasured() {
        PingPongResult r = new PingPongResult(15_000, 40_000, 1000, 1_000_000_000L, -1);
        assertThat(r.withCpu(500_000_000L, 1_000_000_000L).cpuPercent()).isEqualTo(50.0);
        assertThat(r.withCpu(-1, 1_000_000_000L).cpuPercent()).isEqualTo(-1);
        Measurement spin = new Measurement(Workload.PING_PONG, Impl.FRAMECONN, Mode.SPIN, 64, 1, false, "platform");
        spin.add(r.withCpu(1_500_000_000L, 1_000_000_000L));
        assertThat(Report.jsonLine(spin)).contains("\"mode\":\"spin\"", "\"cpu_pct\":150");
        Measurement parked = new Measurement(Workload.PING_PONG, Impl.FRAMECONN, Mode.PER_FRAME, 64, 1, false, "platform");
        parked.add(r);
        assertThat(Report.jsonLine(parked)).doesNotContain("cpu_pct");
    }

    @Test
    void jsonLineCarriesTheAgreedFields() {
        Measurement m = new Measurement(Workload.PING_PONG, Impl.FRAMECONN, Mode.PER_FRAME, 64, 1, true, "platform");
        m.add(new PingPongResult(15_000, 40_000, 1000, 1_000_000_000L, -1));
        m.add(new PingPongResult(17_000, 45_500, 1000, 1_000_000_000L, -1));
        assertThat(Report.jsonLine(m)).isEqualTo("{\"workload\":\"ping-pong\",\"impl\":\"frameconn\","
                + "\"mode\":\"per-frame\",\"payload\":64,\"connections\":1,\"pinned\":true,\"threads\":\"platform\","
                + "\"rounds\":2,\"p50_us\":16,\"p50_us_min\":15,\"p50_us_max\":17,\"p99_us\":42.750,"
                + "\"p99_us_min\":40,\"p99_us_max\":45.500,\"round_trips_per_s\":1000,"
                + "\"round_trips_per_s_min\":1000,\"round_trips_per_s_max\":1000}");
        Measurement skipped = new Measurement(Workload.PING_PONG, Impl.RAW, Mode.BATCH, 64, 1, true, "platform");
        skipped.skip("taskset \"missing\"");
        assertThat(Report.jsonLine(skipped)).endsWith(",\"skipped\":\"taskset \\\"missing\\\"\"}");
    }

    @Test
    void ratiosCompareWithTheSameModeAndRawsBatch() {
        Measurement raw = transfer(Impl.RAW, Mode.BATCH, 1000);
        Measurement nettyPerFrame = transfer(Impl.NETTY_NIO, Mode.PER_FRAME, 400);
        Measurement nettyBatch = transfer(Impl.NETTY_NIO, Mode.BATCH, 800);
        Measurement fc = transfer(Impl.FRAMECONN, Mode.PER_FRAME, 500);
        List<Measurement> rows = List.of(raw, nettyPerFrame, nettyBatch, fc);
        assertThat(Report.ratio(fc, Impl.RAW, rows, Measurement.MB_PER_S)).isEqualTo(0.5);
        assertThat(Report.ratio(fc, Impl.NETTY_NIO, rows, Measurement.MB_PER_S)).isEqualTo(1.25);
        assertThat(Report.ratio(fc, Impl.NETTY_EPOLL, rows, Measurement.MB_PER_S)).isNull();
    }

    private static Measurement transfer(Impl impl, Mode mode, double mbPerS) {
        Measurement m = new Measurement(Workload.ONE_WAY, impl, mode, 4096, 1, null, "platform");
        m.add(Measurement.MB_PER_S, mbPerS);
        return m;
    }

    @Test
    void optionsParseSizesListsAndPresets() {
        BenchOptions quick = BenchOptions.parse(new String[] {"--quick", "--payloads", "64,4k,4m"});
        assertThat(quick.rounds()).isEqualTo(5);
        assertThat(quick.warmup()).isEqualTo(1);
        assertThat(quick.durationNanos()).isEqualTo(250_000_000L);
        assertThat(quick.payloads()).containsExactly(64, 4096, 4 << 20);
        BenchOptions some = BenchOptions.parse(new String[] {"--impls", "frameconn,raw", "--connection-mb", "10",
                "--connections", "4"});
        assertThat(some.impls()).containsExactly(Impl.RAW, Impl.FRAMECONN);
        assertThat(some.connectionFrames(4)).isEqualTo(39); // ceil(10e6 / (4 * 65536))
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--rounds", "0"}))
                .hasMessage("--rounds=0 must be >= 1");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--payloads", "17m"}))
                .hasMessageContaining("--payloads=17m must be in 1..");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--bogus"}))
                .hasMessage("argument=--bogus is unknown; see --help");
        assertThat(quick.workloads()).contains(Workload.IDLE);
        assertThat(quick.idle().sizes()).containsExactly(1_000);
        assertThat(quick.idle().heartbeat()).isNull();
        assertThat(quick.idle().cpuWindowNanos()).isZero();
        assertThat(BenchOptions.parse(new String[0]).idle().sizes()).containsExactly(1_000, 5_000, 18_000);
        assertThat(BenchOptions.parse(new String[] {"--socket-buffer", "1m"}).socketBuffer()).isEqualTo(1 << 20);
        assertThat(BenchOptions.parse(new String[0]).socketBuffer()).isZero();
        // the pinned ping-pong child runs under the parent's socket buffers
        BenchOptions fixed = BenchOptions.parse(new String[] {"--socket-buffer", "256k"});
        assertThat(BenchOptions.parse(fixed.childArgs().toArray(String[]::new)).socketBuffer()).isEqualTo(256 << 10);
        assertThat(BenchOptions.parse(BenchOptions.parse(new String[0]).childArgs().toArray(String[]::new))
                .socketBuffer()).isZero();
        BenchOptions idle = BenchOptions.parse(new String[] {"--idle-only", "--idle-connections", "50"});
        assertThat(idle.workloads()).containsExactly(Workload.IDLE);
        assertThat(idle.idle().sizes()).containsExactly(50);
    }

    @Test
    void idleOptionsTakeSeveralSizesAHeartbeatAndACpuWindow() {
        IdleOptions beat = BenchOptions.parse(new String[] {"--idle-connections", "1000,5000,18000",
                "--idle-heartbeat", "5s"}).idle();
        assertThat(beat.sizes()).containsExactly(1_000, 5_000, 18_000);
        assertThat(beat.heartbeat()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(beat.cpuWindowNanos()).isEqualTo(20_000_000_000L);
        IdleOptions window = BenchOptions.parse(new String[] {"--idle-cpu-window", "1500ms"}).idle();
        assertThat(window.heartbeat()).isNull();
        assertThat(window.cpuWindowNanos()).isEqualTo(1_500_000_000L);
        assertThat(window.warmupConnections()).isEqualTo(IdleOptions.DEFAULT_WARMUP_CONNECTIONS).isEqualTo(6_000);
        assertThat(BenchOptions.parse(new String[] {"--idle-warmup", "250"}).idle().warmupConnections())
                .isEqualTo(250);
        assertThat(IdleWorkload.warmupCycles(250)).containsExactly(100, 100, 50);
        assertThat(IdleWorkload.warmupCycles(6_000)).hasSize(60).containsOnly(100);
        assertThat(IdleWorkload.warmupCycles(1)).containsExactly(1);
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--idle-warmup", "0"}))
                .hasMessage("--idle-warmup=0 must be >= 1");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--idle-warmup", "20001"}))
                .hasMessage("--idle-warmup=20001 must be in 1..20000");
        assertThat(IdleConn.config(java.time.Duration.ofSeconds(5)).peerTimeout())
                .isEqualTo(java.time.Duration.ofSeconds(10));
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--idle-connections", "18001"}))
                .hasMessage("--idle-connections=18001 must be in 1..18000");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--idle-heartbeat", "5"}))
                .hasMessage("--idle-heartbeat=5 needs a unit: ms, s or m (e.g. 5s)");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--idle-heartbeat", "0s"}))
                .hasMessage("--idle-heartbeat=0s must be positive");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--idle-cpu-window", "xs"}))
                .hasMessage("--idle-cpu-window=xs is not a duration (e.g. 500ms, 5s)");
    }

    @Test
    void idleFiguresArePerConnection() {
        IdleRow r = new IdleRow(1000, null, 1_000_000, 5_000_000, 100_000, 16_484_000, true, 1000, 1_500_000_000L,
                250_000_000L, 1000, 1000, 1000, null, null);
        assertThat(r.heapPerConnection()).isEqualTo(4000);
        assertThat(r.directPerConnection()).isEqualTo(16_384);
        assertThat(r.totalPerConnection()).isEqualTo(20_384);
        assertThat(r.meetsTarget()).isFalse();
        assertThat(r.allClean()).isTrue();
        IdleResult plain = new IdleResult(new IdleOptions(List.of(1000), null, 0, 6_000), List.of(r));
        assertThat(Report.jsonLine(plain, r)).isEqualTo("{\"workload\":\"idle\",\"impl\":\"frameconn\","
                + "\"connections\":1000,\"heartbeat_ms\":0,\"warmup_connections\":6000,\"heap_bytes_per_conn\":4000,"
                + "\"direct_bytes_per_conn\":16384,\"total_bytes_per_conn\":20384,\"open_s\":1.500,"
                + "\"shutdown_s\":0.250,\"clean_client\":1000,\"clean_server\":1000}");
        assertThat(Report.jsonLine(plain, IdleRow.skipped(10, "ulimit"))).isEqualTo("{\"workload\":\"idle\","
                + "\"impl\":\"frameconn\",\"connections\":10,\"heartbeat_ms\":0,\"warmup_connections\":6000,"
                + "\"skipped\":\"ulimit\"}");
        IdleRow unclean = new IdleRow(1000, null, 0, 0, 0, 0, true, 1000, 0, 0, 1000, 1000, 999, "server: x", null);
        assertThat(unclean.allClean()).isFalse();
    }

    @Test
    void heartbeatCpuIsPercentOfOneCpuPer1000ConnectionsAndItsGrowthIsLargestOverSmallest() {
        // 1,000 connections: 0.2 s of CPU in a 20 s window = 1 % of a CPU = 1 % per 1k
        IdleRow small = cpuRow(1_000, 200_000_000L, 100_000_000L, 4_000);
        // 18,000 connections: 5.4 s of CPU in 20 s = 27 % = 1.5 % per 1k
        IdleRow large = cpuRow(18_000, 5_400_000_000L, -1, 72_000);
        assertThat(small.clientCpuPer1k()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(small.serverCpuPer1k()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(large.clientCpuPer1k()).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(large.serverCpuPer1k()).isNaN();
        assertThat(small.cpu().heartbeatsPerSecond()).isEqualTo(200.0);
        IdleOptions options = new IdleOptions(List.of(18_000, 1_000), java.time.Duration.ofSeconds(5),
                20_000_000_000L, 100);
        IdleResult result = new IdleResult(options, List.of(large, small));
        assertThat(result.cpuGrowth()).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Report.jsonLine(result, small)).endsWith(",\"cpu_window_s\":20,\"cpu_pct_per_1k_heartbeat\":1,"
                + "\"server_cpu_pct_per_1k_heartbeat\":0.500,\"heartbeats_per_s\":200}");
        assertThat(Report.jsonLine(result, large)).contains("\"heartbeat_ms\":5000")
                .doesNotContain("server_cpu");
        assertThat(new IdleResult(options, List.of(small)).cpuGrowth()).isNaN();
    }

    private static IdleRow cpuRow(int n, long clientNanos, long serverNanos, long beats) {
        return new IdleRow(n, null, 0, 0, 0, 0, true, n, 0, 0, n, n, n, null,
                new IdleRow.Cpu(20_000_000_000L, clientNanos, serverNanos, beats));
    }

    @Test
    void socketBuffersAreSetBeforeTheHandshakeOrLeftAlone() throws Exception {
        try (java.nio.channels.SocketChannel plain = java.nio.channels.SocketChannel.open();
                java.nio.channels.SocketChannel fixed = java.nio.channels.SocketChannel.open();
                java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel.open()) {
            SocketBuffers.apply(plain); // size 0: nothing
            SocketBuffers.set(256 << 10);
            try {
                SocketBuffers.apply(fixed);
                SocketBuffers.apply(listener); // no SO_SNDBUF on a listener: must not fail
            } finally {
                SocketBuffers.set(0);
            }
            var rcv = java.net.StandardSocketOptions.SO_RCVBUF;
            assertThat(fixed.getOption(rcv)).isGreaterThanOrEqualTo(256 << 10); // Linux doubles it
            assertThat(listener.getOption(rcv)).isGreaterThanOrEqualTo(256 << 10);
            assertThat(plain.getOption(rcv)).isLessThan(256 << 10);
        }
    }
}
