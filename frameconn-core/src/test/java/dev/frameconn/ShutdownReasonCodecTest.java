package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The RST reason payload without a connection: encode and decode at an offset against hand-written
 * bytes, the bounds (no reason below 4 bytes, at most {@value ShutdownReason#MAX_MESSAGE_BYTES}
 * message bytes kept), the cut at a character boundary, and how a reason is shown.
 */
@Timeout(10)
class ShutdownReasonCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void encodeWritesCodeThenUtf8AtTheIndexAndReturnsTheLength() {
        ByteBuffer dst = ByteBuffer.allocate(16);
        Arrays.fill(dst.array(), (byte) 0x5a);
        int n = ShutdownReason.of(0x0102_0304, "hé").encode(dst, 2);
        assertThat(n).isEqualTo(4 + 3);
        assertThat(HEX.formatHex(dst.array())).isEqualTo("5a5a" + "01020304" + "68c3a9" + "5a5a5a5a5a5a5a");
        assertThat(dst.position()).isZero();
    }

    @Test
    void payloadsShorterThanFourBytesCarryNoReason() {
        ByteBuffer src = ByteBuffer.wrap(HEX.parseHex("000000020000"));
        for (int length = 0; length < 4; length++) {
            assertThat(ShutdownReason.decode(src, 0, length)).as("length %d", length).isNull();
        }
        assertThat(ShutdownReason.decode(src, 0, 4)).isEqualTo(ShutdownReason.of(2, ""));
    }

    @Test
    void decodeReadsCodeAndMessageAtTheIndex() {
        ByteBuffer src = ByteBuffer.wrap(HEX.parseHex("ffff" + "80000006" + "6f6b" + "ffff"));
        ShutdownReason r = ShutdownReason.decode(src, 2, 6);
        assertThat(r.code()).isEqualTo(0x8000_0006);
        assertThat(r.message()).isEqualTo("ok");
        assertThat(src.position()).isZero();
    }

    @Test
    void decodeKeepsAtMostTheBoundAndIgnoresTheRest() {
        byte[] payload = new byte[4 + ShutdownReason.MAX_MESSAGE_BYTES + 10];
        Arrays.fill(payload, 4, payload.length, (byte) 'x');
        payload[4 + ShutdownReason.MAX_MESSAGE_BYTES - 1] = 'y'; // the last byte kept
        ShutdownReason r = ShutdownReason.decode(ByteBuffer.wrap(payload), 0, payload.length);
        assertThat(r.message()).hasSize(ShutdownReason.MAX_MESSAGE_BYTES).endsWith("xy");
        ShutdownReason exact = ShutdownReason.decode(ByteBuffer.wrap(payload), 0, 4 + 5);
        assertThat(exact.message()).isEqualTo("xxxxx");
    }

    @Test
    void messagesAtTheBoundAreKeptWholeAndLongerOnesAreCut() {
        String exact = "a".repeat(ShutdownReason.MAX_MESSAGE_BYTES);
        assertThat(ShutdownReason.of(0, exact).message()).isSameAs(exact);
        assertThat(ShutdownReason.of(0, exact + "b").message()).isEqualTo(exact);
        // two-byte characters: 'é' at bytes 255..256 would be split, so it goes whole
        String cut = "a".repeat(ShutdownReason.MAX_MESSAGE_BYTES - 1) + "é";
        assertThat(ShutdownReason.of(0, cut).message()).isEqualTo("a".repeat(ShutdownReason.MAX_MESSAGE_BYTES - 1));
        // four-byte characters (a supplementary code point), 256 = 64 x 4: nothing is lost at the bound
        String emoji = "\uD83D\uDE00".repeat(65);
        String kept = ShutdownReason.of(0, emoji).message();
        assertThat(kept).isEqualTo("\uD83D\uDE00".repeat(64));
        assertThat(kept.getBytes(StandardCharsets.UTF_8)).hasSize(ShutdownReason.MAX_MESSAGE_BYTES);
    }

    @Test
    void aMessageIsRequired() {
        assertThatThrownBy(() -> ShutdownReason.of(0, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("message");
    }

    @Test
    void everyKnownCodeHasItsNameAndOthersAreShownUnsigned() {
        assertThat(ShutdownReason.of(ShutdownReason.NORMAL, "").codeName()).isEqualTo("NORMAL");
        assertThat(ShutdownReason.of(ShutdownReason.PROTOCOL_ERROR, "").codeName()).isEqualTo("PROTOCOL_ERROR");
        assertThat(ShutdownReason.of(ShutdownReason.FRAME_TOO_LARGE, "").codeName()).isEqualTo("FRAME_TOO_LARGE");
        assertThat(ShutdownReason.of(ShutdownReason.TIMEOUT, "").codeName()).isEqualTo("TIMEOUT");
        assertThat(ShutdownReason.of(ShutdownReason.GOING_AWAY, "").codeName()).isEqualTo("GOING_AWAY");
        assertThat(ShutdownReason.of(ShutdownReason.INTERNAL_ERROR, "").codeName()).isEqualTo("INTERNAL_ERROR");
        assertThat(ShutdownReason.of(ShutdownReason.APPLICATION_ERROR, "").codeName())
                .isEqualTo("APPLICATION_ERROR");
        assertThat(ShutdownReason.of(42, "").codeName()).isEqualTo("CODE_42");
        assertThat(ShutdownReason.of(-1, "").codeName()).isEqualTo("CODE_4294967295");
    }

    @Test
    void toStringIsTheCodeNameAndThePrintableMessage() {
        assertThat(ShutdownReason.of(ShutdownReason.TIMEOUT, "").toString()).isEqualTo("TIMEOUT");
        assertThat(ShutdownReason.of(ShutdownReason.GOING_AWAY, "bye").toString()).isEqualTo("GOING_AWAY: bye");
        // a control character (ESC), a format character (RLO) and a printable supplementary one
        assertThat(ShutdownReason.of(1, "a\u001bb\u202ec\uD83D\uDE00").toString())
                .isEqualTo("PROTOCOL_ERROR: a?b?c\uD83D\uDE00");
    }
}
