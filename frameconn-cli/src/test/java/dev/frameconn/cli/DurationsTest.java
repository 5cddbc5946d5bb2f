package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({
        "10s,       PT10S",
        "500ms,     PT0.5S",
        "2m,        PT2M",
        "1h30m,     PT1H30M",
        "1.5s,      PT1.5S",
        "0,         PT0S",
        "0s,        PT0S",
        "250us,     PT0.00025S",
        "250µs,     PT0.00025S",
        "7ns,       PT0.000000007S",
        "1m0.5s,    PT1M0.5S",
        "PT10S,     PT10S",
        "pt1m,      PT1M",
        "P1D,       PT24H",
    })
    void parses(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10        | missing unit after 10",
        "5x        | unknown unit 'x'",
        "s         | expected a number before 's'",
        "1..5s     | expected a number before 's'",
        "-1s       | must not be negative",
        "PT-1S     | must not be negative",
        "PTxS      | not an ISO-8601 duration",
        "100000000h| must be at most 36500 days",
        "''        | empty",
    })
    void rejectsWithAClearMessage(String text, String why) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad duration '" + text + "'")
                .hasMessageContaining(why == null ? "" : why)
                .hasMessageContaining("expected e.g. 10s, 500ms");
    }

    @Test
    void formatsForPeople() {
        assertThat(Durations.format(Duration.ofNanos(1500))).isEqualTo("1.5 us");
        assertThat(Durations.format(Duration.ofMillis(12))).isEqualTo("12.000 ms");
        assertThat(Durations.format(Duration.ofMillis(2500))).isEqualTo("2.500 s");
    }
}
