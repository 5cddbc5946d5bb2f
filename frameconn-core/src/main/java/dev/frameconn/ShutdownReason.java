package dev.frameconn;

import dev.frameconn.internal.Utf8;
import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Why a side shut down: a code and a short message, carried in the RST frame's
 * payload so that the peer's error can say why (like HTTP/2's GOAWAY).
 *
 * <pre>
 *  RST payload:  empty                       no reason given (what zrepl sends)
 *                uint32 BE code, then        a reason; the message is UTF-8, at most
 *                0..256 bytes of message     {@value #MAX_MESSAGE_BYTES} bytes
 * </pre>
 *
 * <p>zrepl's frameconn reads and ignores an RST payload, so a reason is safe to
 * send to it. The payload is never exactly 1 byte long (the Go original's
 * buffer pool fails on 1-byte frames): it is either empty or at least 4 bytes.
 * On receipt, a payload of 1 to 3 bytes is taken as "no reason", unknown codes
 * are kept as numbers, invalid UTF-8 is replaced, and bytes past the bound are
 * skipped without being buffered.
 *
 * @param code the reason code; see the constants, other values are allowed
 * @param message a short human-readable explanation, possibly empty
 */
public record ShutdownReason(int code, String message) {
    /** Longest message carried, in UTF-8 bytes; longer ones are cut at a character boundary. */
    public static final int MAX_MESSAGE_BYTES = 256;
    /** Longest RST payload we send. */
    public static final int MAX_PAYLOAD = 4 + MAX_MESSAGE_BYTES;

    /** The work is done; nothing went wrong. */
    public static final int NORMAL = 0;
    /** The peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1;
    /** The peer announced a frame larger than we accept. */
    public static final int FRAME_TOO_LARGE = 2;
    /** The peer was silent, or did not read, for too long. */
    public static final int TIMEOUT = 3;
    /** This side is going away (for example the process is stopping). */
    public static final int GOING_AWAY = 4;
    /** Something failed inside this side. */
    public static final int INTERNAL_ERROR = 5;
    /** The application above gave up (see the message). */
    public static final int APPLICATION_ERROR = 6;

    /** Checks the message and cuts it to {@link #MAX_MESSAGE_BYTES} UTF-8 bytes. */
    public ShutdownReason {
        Objects.requireNonNull(message, "message");
        message = Utf8.truncate(message, MAX_MESSAGE_BYTES);
    }

    /**
     * A reason with a code and a message.
     *
     * @param code the reason code
     * @param message the human-readable message
     * @return the reason
     */
    public static ShutdownReason of(int code, String message) {
        return new ShutdownReason(code, message);
    }

    /**
     * The code's name, e.g. {@code PROTOCOL_ERROR}, or {@code CODE_42} for unknown codes.
     *
     * @return the code's name
     */
    public String codeName() {
        return switch (code) {
            case NORMAL -> "NORMAL";
            case PROTOCOL_ERROR -> "PROTOCOL_ERROR";
            case FRAME_TOO_LARGE -> "FRAME_TOO_LARGE";
            case TIMEOUT -> "TIMEOUT";
            case GOING_AWAY -> "GOING_AWAY";
            case INTERNAL_ERROR -> "INTERNAL_ERROR";
            case APPLICATION_ERROR -> "APPLICATION_ERROR";
            default -> "CODE_" + Integer.toUnsignedString(code);
        };
    }

    /** Writes the RST payload at {@code index} of {@code dst}; returns its length (never 1). */
    int encode(ByteBuffer dst, int index) {
        dst.putInt(index, code);
        byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
        dst.put(index + 4, utf8);
        return 4 + utf8.length;
    }

    /** Parses an RST payload; null if it carries no reason (empty, or 1 to 3 bytes). */
    static ShutdownReason decode(ByteBuffer src, int index, int length) {
        if (length < 4) {
            return null;
        }
        int code = src.getInt(index);
        int messageLength = Math.min(length - 4, MAX_MESSAGE_BYTES);
        byte[] utf8 = new byte[messageLength];
        src.get(index + 4, utf8);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            return new ShutdownReason(code, decoder.decode(ByteBuffer.wrap(utf8)).toString());
        } catch (CharacterCodingException impossible) {
            throw new AssertionError("REPLACE never throws", impossible);
        }
    }

    /**
     * Code and message for logs and exception messages. The message comes from
     * the peer, so control and format characters (escape sequences, carriage
     * returns, bidirectional overrides) are shown as '?': printed to a terminal,
     * a reason cannot rewrite what is there. {@link #message()} stays as sent.
     */
    @Override
    public String toString() {
        if (message.isEmpty()) {
            return codeName();
        }
        StringBuilder shown = new StringBuilder(codeName()).append(": ");
        message.codePoints().forEach(c -> {
            int kind = Character.getType(c);
            shown.appendCodePoint(Character.isISOControl(c) || kind == Character.FORMAT ? '?' : c);
        });
        return shown.toString();
    }

    static {
        // the payload must fit behind a header in the connection's write buffer
        assert MAX_PAYLOAD + FrameHeader.LENGTH <= FrameConn.COPY_THRESHOLD;
    }
}
