package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --peer-timeout 3s} alone, on both real processes: accepted (it used to
 * be refused against the 5 s default interval), and the derived interval (1 s)
 * keeps a transfer alive through an idle spell longer than the peer timeout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PeerTimeoutAloneProcessTest {
    @TempDir
    Path dir;

    @Test
    void aTransferWithOnlyAPeerTimeoutSurvivesAnIdleSpellLongerThanIt() throws Exception {
        try (CliProcess recv = CliProcess.start(dir, "recv", "--listen", "127.0.0.1:0", "--output", "out.bin",
                "--peer-timeout", "3s", "--progress", "never")) {
            String listening = recv.awaitErrLineContaining("listening on");
            String address = listening.substring(listening.lastIndexOf(' ') + 1);
            try (CliProcess send = CliProcess.start(dir, "send", address, "--peer-timeout", "3s",
                    "--progress", "never")) {
                send.write("before the pause, ");
                // nothing to send for 4 s, longer than the peer timeout: only heartbeats (every
                // second, derived) keep both sides from declaring the other gone
                Thread.sleep(4_000);
                assertThat(send.isAlive()).as(send.stderr()).isTrue();
                assertThat(recv.isAlive()).as(recv.stderr()).isTrue();
                send.input("after the pause");
                assertThat(send.awaitExit()).as(send.stderr()).isZero();
                assertThat(recv.awaitExit()).as(recv.stderr()).isZero();
                assertThat(send.stderr()).contains("verified by the receiver");
            }
        }
        assertThat(Files.readString(dir.resolve("out.bin"), StandardCharsets.UTF_8))
                .isEqualTo("before the pause, after the pause");
    }
}
