package dev.frameconn.cli;

/**
 * Text that came from the peer, made safe to print: control and format
 * characters (escape sequences, carriage returns, bidirectional overrides)
 * become '?', so a hostile peer cannot rewrite the lines on a terminal, and
 * {@link #shown} also bounds the length, so it cannot flood one either.
 */
final class PeerText {
    /** Most characters of a peer's free text that reach our output. */
    static final int MAX_SHOWN = 500;

    private PeerText() {}

    /** {@code text} cut to {@link #MAX_SHOWN} characters (then "...") and {@linkplain #clean cleaned}. */
    static String shown(String text) {
        if (text.length() <= MAX_SHOWN) {
            return clean(text);
        }
        int end = MAX_SHOWN;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // not half a character
        }
        return clean(text.substring(0, end)) + "...";
    }

    /** {@code text} with every control and format character replaced by '?'. */
    static String clean(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            int type = Character.getType(text.charAt(i));
            if (type == Character.CONTROL || type == Character.FORMAT) {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, '?');
            }
        }
        return out == null ? text : out.toString();
    }
}
