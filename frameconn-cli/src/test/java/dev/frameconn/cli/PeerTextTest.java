package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerTextTest {
    @Test
    void plainTextPassesUnchanged() {
        String text = "cannot write /tmp/ü: No space left on device \ud83d\ude00";
        assertThat(PeerText.clean(text)).isSameAs(text);
        assertThat(PeerText.shown(text)).isEqualTo(text);
    }

    @Test
    void controlAndFormatCharactersBecomeQuestionMarks() {
        assertThat(PeerText.clean("a\u001b[1mb\rc\nd\u0000e\u202ef\u200bg\u0085h"))
                .isEqualTo("a?[1mb?c?d?e?f?g?h");
    }

    @Test
    void shownIsBoundedAtACharacterBoundary() {
        assertThat(PeerText.shown("x".repeat(PeerText.MAX_SHOWN))).hasSize(PeerText.MAX_SHOWN);
        assertThat(PeerText.shown("x".repeat(1 << 20))).isEqualTo("x".repeat(PeerText.MAX_SHOWN) + "...");
        String pairAtTheCut = "z".repeat(PeerText.MAX_SHOWN - 1) + "\ud83d\ude00tail";
        assertThat(PeerText.shown(pairAtTheCut)).isEqualTo("z".repeat(PeerText.MAX_SHOWN - 1) + "...");
    }
}
