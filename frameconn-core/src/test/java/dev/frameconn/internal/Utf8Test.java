package dev.frameconn.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cutting UTF-8 at a character boundary, at every offset through characters of each length. */
class Utf8Test {
    /** The largest character boundary at or below {@code max}, found from the code points, not the bytes. */
    private static int expectedCut(String text, int max) {
        int at = 0;
        for (int cp : text.codePoints().toArray()) {
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (at + len > max) {
                return at;
            }
            at += len;
        }
        return at;
    }

    private static String strictDecode(byte[] b) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b)).toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "\u00e9", "\u20ac", "\ud834\udd1e"}) // 1, 2, 3 and 4 bytes
    void cutsAtEveryOffsetOnACharacterBoundary(String ch) throws Exception {
        int width = ch.getBytes(StandardCharsets.UTF_8).length;
        assertThat(width).isBetween(1, 4);
        // the character at every alignment, with one-byte and own-width neighbours
        for (int lead = 0; lead < 4; lead++) {
            String text = "x".repeat(lead) + ch + ch + "y";
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            for (int max = 0; max <= utf8.length + 1; max++) {
                int n = Utf8.prefixLength(utf8, max);
                assertThat(n).as("lead=%d max=%d", lead, max).isEqualTo(expectedCut(text, max));
                byte[] cut = Utf8.encode(text, max);
                assertThat(cut).isEqualTo(Arrays.copyOf(utf8, n));
                String decoded = strictDecode(cut); // throws if a character was split
                assertThat(text).startsWith(decoded);
                assertThat(Utf8.truncate(text, max)).isEqualTo(decoded);
            }
        }
    }

    @Test
    void aCutInsideTheFirstCharacterLeavesNothing() {
        byte[] four = "\ud834\udd1e".getBytes(StandardCharsets.UTF_8);
        for (int max = 0; max < 4; max++) {
            assertThat(Utf8.prefixLength(four, max)).as("max=%d", max).isZero();
        }
        assertThat(Utf8.prefixLength(four, 4)).isEqualTo(4);
    }

    @Test
    void textThatFitsIsReturnedAsItIs() {
        String text = "d\u00e9j\u00e0 vu \u20ac";
        assertThat(Utf8.truncate(text, 100)).isSameAs(text);
        assertThat(Utf8.encode("", 0)).isEmpty();
        assertThat(Utf8.prefixLength(new byte[0], 0)).isZero();
    }

    @Test
    void aNegativeBudgetIsACallerBug() {
        assertThatThrownBy(() -> Utf8.prefixLength(new byte[1], -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBytes=-1 must be >= 0");
    }
}
