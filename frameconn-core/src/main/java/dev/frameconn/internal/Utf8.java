package dev.frameconn.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cutting UTF-8 to a byte budget without splitting a character: the one rule
 * behind the RST reason's message ({@code ShutdownReason}) and the stream
 * layer's error trailer, so that the peer always gets valid UTF-8.
 */
public final class Utf8 {
    private Utf8() {
    }

    /**
     * The longest prefix of {@code utf8} of at most {@code maxBytes} bytes
     * that ends between two characters: {@code utf8.length} if it fits,
     * otherwise {@code maxBytes} moved back past the continuation bytes
     * ({@code 10xxxxxx}) of the character it would cut.
     *
     * @param utf8 well-formed UTF-8
     * @param maxBytes the budget, at least 0
     * @return the length of the prefix
     */
    public static int prefixLength(byte[] utf8, int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes=" + maxBytes + " must be >= 0");
        }
        if (utf8.length <= maxBytes) {
            return utf8.length;
        }
        int end = maxBytes;
        // utf8[end] is the first byte left out: if it continues a character, that character goes too
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }

    /**
     * {@code text} in UTF-8, cut at a character boundary to at most
     * {@code maxBytes} bytes.
     *
     * @param text the text
     * @param maxBytes the budget, at least 0
     * @return the bytes; a fresh array
     */
    public static byte[] encode(String text, int maxBytes) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int n = prefixLength(utf8, maxBytes);
        return n == utf8.length ? utf8 : Arrays.copyOf(utf8, n);
    }

    /**
     * {@code text} itself if its UTF-8 fits in {@code maxBytes}, otherwise its
     * longest prefix that does, cut at a character boundary.
     *
     * @param text the text
     * @param maxBytes the budget, at least 0
     * @return the text, or its cut prefix
     */
    public static String truncate(String text, int maxBytes) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int n = prefixLength(utf8, maxBytes);
        return n == utf8.length ? text : new String(utf8, 0, n, StandardCharsets.UTF_8);
    }
}
