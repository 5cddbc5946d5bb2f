package dev.frameconn.time;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Ticker#system()} is {@link System#nanoTime()}, one instance. */
@Timeout(10)
class SystemTickerTest {
    @Test
    void theSystemTickerReadsSystemNanoTime() {
        long before = System.nanoTime();
        long now = Ticker.system().nanoTime();
        long after = System.nanoTime();
        assertThat(now).isBetween(before, after);
        assertThat(Ticker.system()).isSameAs(Ticker.system());
    }
}
