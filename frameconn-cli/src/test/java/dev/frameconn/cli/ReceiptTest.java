package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReceiptTest {
    @Test
    void okRoundTrips() {
        String sha = "ab".repeat(32);
        Receipt r = Receipt.decode(Receipt.ok(42, sha).encode());
        assertThat(r).isEqualTo(Receipt.ok(42, sha));
    }

    @Test
    void errorTextPassesWhenPlain() {
        Receipt r = Receipt.decode(Receipt.error("cannot write /tmp/x: No space left on device").encode());
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).isEqualTo("cannot write /tmp/x: No space left on device");
    }

    @Test
    void receiversErrorCannotCarryTerminalControls() {
        // a hostile receiver: escape sequences, a carriage return, a bidi override
        String hostile = "error \u001b]0;owned\u0007\u001b[2Jfine\rsent 9 bytes, verified\u202e";
        Receipt r = Receipt.decode(hostile.getBytes(StandardCharsets.UTF_8));
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).isEqualTo("?]0;owned??[2Jfine?sent 9 bytes, verified?");
        assertThat(r.error().chars()).noneMatch(c -> Character.isISOControl(c));
    }

    @Test
    void receiversErrorIsBounded() {
        String huge = "error " + "x".repeat(1 << 20);
        Receipt r = Receipt.decode(huge.getBytes(StandardCharsets.UTF_8));
        assertThat(r.error()).hasSize(PeerText.MAX_SHOWN + 3).endsWith("...");
    }

    @Test
    void malformedReceiptIsShownBoundedAndClean() {
        String junk = "\u001b[31m" + "y".repeat(10_000);
        Receipt r = Receipt.decode(junk.getBytes(StandardCharsets.UTF_8));
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).startsWith("malformed confirmation from the receiver: '?[31m")
                .hasSizeLessThan(PeerText.MAX_SHOWN + 100);
    }

    @Test
    void cutNeverSplitsASurrogatePair() {
        String text = "error " + "z".repeat(PeerText.MAX_SHOWN - 1) + "\ud83d\ude00" + "tail";
        Receipt r = Receipt.decode(text.getBytes(StandardCharsets.UTF_8));
        assertThat(r.error()).isEqualTo("z".repeat(PeerText.MAX_SHOWN - 1) + "...");
    }
}
