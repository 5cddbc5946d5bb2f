package dev.frameconn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The tls workload: both TLS contenders move exactly their frames, and the run reports them. Speeds never asserted. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TlsWorkloadTest {

    @Test
    void nettyOffersTheSuiteFrameconnPrefersFirst() throws Exception {
        // frameconn-tls puts AES-128-GCM first; Netty must too, or the two would negotiate different suites
        BenchTls tls = BenchTls.create();
        assertThat(tls.nettyServer.cipherSuites()).first().isEqualTo(BenchTls.AES_128_GCM);
        assertThat(tls.nettyClient.cipherSuites()).first().isEqualTo(BenchTls.AES_128_GCM);
    }

    @Test
    void bothTlsContendersSendExactlyTheirBudget() throws Exception {
        BenchTls tls = BenchTls.create();
        try (NettyTransport nio = NettyTransport.open(Impl.NETTY_NIO, NettyTransport.POOLED)) {
            List<Contender> contenders = List.of(
                    new NettyContender(NettyOptions.of(nio, Mode.PER_FRAME).withTls(tls)),
                    new FrameconnContender(Mode.PER_FRAME, tls));
            for (Contender c : contenders) {
                TransferResult result = c.transfer(64 << 10, 2, Round.budgeted(40), ThreadKind.PLATFORM);
                assertThat(result.frames()).as(c.name()).containsExactly(40, 40);
                assertThat(c.pingPongs()).as(c.name()).isFalse();
                c.close();
            }
            assertThat(contenders).extracting(c -> c.impl().label())
                    .containsExactly("netty-nio-tls", "frameconn-tls");
        }
    }

    @Test
    void tlsWorkloadPrintsBothImplsAtBothSizes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--workloads", "tls", "--rounds", "1", "--warmup", "0",
            "--duration-ms", "50", "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(4).allMatch(l -> l.startsWith("{\"workload\":\"tls\""));
        assertThat(lines.get(0)).contains("\"impl\":\"netty-nio-tls\"", "\"payload\":65536", "\"mb_per_s\":");
        assertThat(lines.get(1)).contains("\"impl\":\"frameconn-tls\"", "\"payload\":65536");
        assertThat(lines.get(3)).contains("\"impl\":\"frameconn-tls\"", "\"payload\":524288");
    }
}
