package dev.frameconn.cli;

import java.nio.charset.StandardCharsets;

/**
 * The receiver's answer after a stream, in one frame of
 * {@link TransferOptions#RECEIPT_TYPE}: {@code ok BYTES SHA256HEX} when the stream
 * was stored, {@code error MESSAGE} when the receiver could not store it. The
 * sender compares count and digest with its own before it reports success.
 *
 * <p>The receiver is a peer, not trusted: {@link #decode} bounds the text it
 * passes on for the sender's standard error and replaces control and format
 * characters, so a receipt cannot flood or rewrite the sender's terminal.
 */
record Receipt(boolean ok, long bytes, String sha256, String error) {
    /** Most characters of the receiver's text that reach the sender's output. */
    static final int MAX_SHOWN = 500;

    static Receipt ok(long bytes, String sha256) {
        return new Receipt(true, bytes, sha256, null);
    }

    static Receipt error(String message) {
        return new Receipt(false, -1, null, message);
    }

    byte[] encode() {
        String text = ok ? "ok " + bytes + " " + sha256 : "error " + error;
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a receipt; a malformed one is reported as an error receipt saying so. */
    static Receipt decode(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        if (text.startsWith("error ")) {
            return error(shown(text.substring("error ".length())));
        }
        String[] parts = text.split(" ");
        if (parts.length == 3 && parts[0].equals("ok") && parts[2].matches("[0-9a-f]{64}")) {
            try {
                return ok(Long.parseLong(parts[1]), parts[2]);
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        return error("malformed confirmation from the receiver: '" + shown(text) + "'");
    }

    /** The peer's text as printed: at most {@link #MAX_SHOWN} characters, control and format ones as '?'. */
    private static String shown(String text) {
        boolean cut = text.length() > MAX_SHOWN;
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_SHOWN) + 3);
        int end = cut ? MAX_SHOWN : text.length();
        if (cut && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // not half a character
        }
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            out.append(type == Character.CONTROL || type == Character.FORMAT ? '?' : c);
        }
        return cut ? out.append("...").toString() : out.toString();
    }
}
