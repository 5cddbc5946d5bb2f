package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizesTest {
    @ParameterizedTest
    @CsvSource({
        "0,         0",
        "4096,      4096",
        "12B,       12",
        "64KiB,     65536",
        "64k,       65536",
        "256MiB,    268435456",
        "256 MiB,   268435456",
        "1GiB,      1073741824",
        "2g,        2147483648",
        "1TiB,      1099511627776",
    })
    void parses(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10MB        | decimal units are ambiguous here; use MiB",
        "1kb         | use KiB",
        "MiB         | expected a whole number of bytes",
        "1.5MiB      | unknown unit '.5MiB'",
        "-1          | expected a whole number of bytes",
        "12 apples   | unknown unit 'apples'",
        "99999999999999999999 | too large",
        "9999999999999TiB | too large",
    })
    void rejectsWithAClearMessage(String text, String why) {
        assertThatThrownBy(() -> Sizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad size '" + text + "'")
                .hasMessageContaining(why);
    }

    @Test
    void formatsForPeople() {
        assertThat(Sizes.format(512)).isEqualTo("512 B");
        assertThat(Sizes.format(256L << 20)).isEqualTo("256.0 MiB");
        assertThat(Sizes.format(1536)).isEqualTo("1.5 KiB");
    }
}
