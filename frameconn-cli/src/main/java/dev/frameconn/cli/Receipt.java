package dev.frameconn.cli;

import java.nio.charset.StandardCharsets;

/**
 * The receiver's answer after a stream, in one frame of
 * {@link TransferOptions#RECEIPT_TYPE}: {@code ok BYTES SHA256HEX} when the stream
 * was stored, {@code error MESSAGE} when the receiver could not store it. The
 * sender compares count and digest with its own before it reports success.
 *
 * <p>The receiver is a peer, not trusted: {@link #decode} passes its text
 * through {@link PeerText#shown}, so a receipt cannot flood or rewrite the
 * sender's terminal.
 */
record Receipt(boolean ok, long bytes, String sha256, String error) {

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
            return error(PeerText.shown(text.substring("error ".length())));
        }
        String[] parts = text.split(" ");
        if (parts.length == 3 && parts[0].equals("ok") && parts[2].matches("[0-9a-f]{64}")) {
            try {
                return ok(Long.parseLong(parts[1]), parts[2]);
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        return error("malformed confirmation from the receiver: '" + PeerText.shown(text) + "'");
    }
}
