package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up cache's training run does what the cache is for: a real
 * {@code recv} and {@code send} over loopback TCP through the tool's own
 * command line, verified at both ends (status 0), and it leaves no files
 * behind. bin/frameconn keeps no cache when the training fails, so a training
 * that quietly broke would cost every start its speed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StartupTrainingTest {
    @Test
    void aVerifiedTransferOverLoopbackThatLeavesNoFiles() throws Exception {
        Set<Path> before = trainingDirs();
        assertThat(StartupTraining.run()).isZero();
        assertThat(trainingDirs()).isEqualTo(before);
    }

    @Test
    void theTlsRoundVerifiesATransferWithItsThrowawayCertificate(@TempDir Path dir) throws Exception {
        // the TLS round is best effort in the training, so only this test notices when it breaks
        List<String> tls = TrainingCertificate.tlsOptions(dir);
        assertThat(tls).hasSize(6).contains("--tls-cert", "--tls-key", "--tls-ca");
        Path input = dir.resolve("in.bin");
        byte[] data = new byte[1 << 20];
        new java.util.SplittableRandom(7).nextBytes(data);
        Files.write(input, data);
        Path output = dir.resolve("out.bin");
        assertThat(StartupTraining.transfer(input, output, tls)).isZero();
        assertThat(Files.mismatch(input, output)).isEqualTo(-1L);
    }

    private static Set<Path> trainingDirs() throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("frameconn-training"))
                    .collect(Collectors.toSet());
        }
    }
}
