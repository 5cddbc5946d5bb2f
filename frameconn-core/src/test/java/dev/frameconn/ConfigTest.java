package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigTest {
    @Test
    void defaultsAdmitEveryFrameZreplSends() {
        FrameConnConfig d = FrameConnConfig.defaults();
        assertThat(d.maxPayloadLength()).isGreaterThanOrEqualTo(8 << 20);
        assertThat(d.idleTimeout()).isPositive();
        assertThat(d.drainLimit()).isPositive();
    }

    @Test
    void withersChangeOneValue() {
        FrameConnConfig c = FrameConnConfig.defaults().withIdleTimeout(Duration.ZERO).withMaxPayloadLength(10);
        assertThat(c.idleTimeout()).isZero();
        assertThat(c.maxPayloadLength()).isEqualTo(10);
        assertThat(c.shutdownTimeout()).isEqualTo(FrameConnConfig.DEFAULT_SHUTDOWN_TIMEOUT);
    }

    @Test
    void invalidValuesAreRejectedWithNameAndValue() {
        FrameConnConfig d = FrameConnConfig.defaults();
        assertThatThrownBy(() -> d.withMaxPayloadLength(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxPayloadLength=-1 must be >= 0");
        assertThatThrownBy(() -> d.withIdleTimeout(Duration.ofSeconds(-5)))
                .hasMessage("idleTimeout=PT-5S must not be negative");
        assertThatThrownBy(() -> d.withDrainLimit(-2)).hasMessage("drainLimit=-2 must be >= 0");
        assertThatThrownBy(() -> d.withReadBufferSize(8)).hasMessageContaining("readBufferSize=8");
        assertThatThrownBy(() -> d.withShutdownTimeout(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("shutdownTimeout");
    }
}
