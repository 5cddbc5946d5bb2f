package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The AES-GCM warm-up: it runs through (the JDK accepts every step), and its thread ends by itself. */
@Timeout(120)
class CipherWarmUpTest {
    @Test
    void everyStepOfTheWarmUpSucceeds() {
        // a step the JDK refused would end the warm-up early and silently: the JIT would stay cold
        assertThat(CipherWarmUp.run()).isTrue();
    }

    @Test
    void theWarmUpThreadStartsOnceAndEndsByItself() {
        TlsFixtures.serverTls().newSslContext(); // the first in this process starts it; later ones do not
        TlsFixtures.clientTls().newSslContext();
        assertThat(warmUpThreads()).isLessThanOrEqualTo(1);
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (warmUpThreads() > 0 && System.nanoTime() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polled: the thread's end signals nothing
        }
        assertThat(warmUpThreads()).as("warm-up threads alive after 60 s").isZero();
    }

    private static long warmUpThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && CipherWarmUp.THREAD_NAME.equals(t.getName())).count();
    }
}
