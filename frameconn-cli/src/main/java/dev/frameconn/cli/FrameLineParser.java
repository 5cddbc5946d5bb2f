package dev.frameconn.cli;

import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Reads the frame descriptions of {@code frameconn frames send}, one per line:
 * <pre>
 *   TYPE LENGTH      LENGTH bytes of filler: byte i of the payload is (i mod 256)
 *   TYPE hex:HEX     the payload in hex; spaces and '_' inside are ignored; "hex:" alone is empty
 *   TYPE @FILE       the payload is the file's content (relative to the working directory)
 * </pre>
 * TYPE is decimal or {@code 0x} hex and must be an application type
 * (0 … 0x0fffffff): the framing layer's reserved bits 28..31 are refused here,
 * with a message, rather than by the connection. LENGTH accepts the suffixes
 * of {@link Sizes} ({@code 64KiB}). Blank lines and lines starting with
 * {@code #} describe no frame.
 */
final class FrameLineParser {
    /** The largest payload this tool builds: 1 GiB, far above any peer's sane maximum. */
    static final int MAX_LENGTH = 1 << 30;
    private static final String HEX_PREFIX = "hex:";

    private final Path baseDirectory;

    /** A parser resolving {@code @FILE} against {@code baseDirectory}. */
    FrameLineParser(Path baseDirectory) {
        this.baseDirectory = baseDirectory;
    }

    /** One frame to send: an application type and its payload. */
    @SuppressWarnings("ArrayRecordComponent") // read once and sent, never compared or hashed
    record OutgoingFrame(int type, byte[] payload) {}

    /** A line that describes no valid frame; the message says why, without the line number. */
    static final class BadLineException extends Exception {
        BadLineException(String message) {
            super(message);
        }
    }

    /**
     * Parses one line; returns null for a blank or comment line. Reads the file
     * of an {@code @FILE} line.
     *
     * @throws BadLineException if the line is malformed, the type reserved, the
     *         length too large or the file unreadable
     */
    OutgoingFrame parse(String line) throws BadLineException {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
            return null;
        }
        int space = indexOfWhitespace(s);
        if (space < 0) {
            throw new BadLineException("missing payload after type '" + s
                    + "'; expected 'TYPE LENGTH', 'TYPE hex:HEX' or 'TYPE @FILE'");
        }
        int type = parseType(s.substring(0, space));
        String payload = s.substring(space + 1).strip();
        if (payload.startsWith("@")) {
            return new OutgoingFrame(type, readFile(payload.substring(1).strip()));
        }
        if (payload.regionMatches(true, 0, HEX_PREFIX, 0, HEX_PREFIX.length())) {
            return new OutgoingFrame(type, parseHex(payload.substring(HEX_PREFIX.length())));
        }
        return new OutgoingFrame(type, filler(parseLength(payload)));
    }

    /**
     * Parses a frame type: decimal or {@code 0x} hex, unsigned 32 bits, with
     * the reserved bits 28..31 clear.
     */
    static int parseType(String text) throws BadLineException {
        long value;
        try {
            if (text.startsWith("0x") || text.startsWith("0X")) {
                String digits = text.substring(2);
                if (digits.isEmpty() || digits.length() > 8) {
                    throw new NumberFormatException();
                }
                value = Long.parseLong(digits, 16);
            } else {
                if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(Character::isDigit)) {
                    throw new NumberFormatException();
                }
                value = Long.parseLong(text);
            }
        } catch (NumberFormatException e) {
            throw new BadLineException("bad type '" + text
                    + "': expected a decimal or 0x-hex number in 0..0x0fffffff");
        }
        if (value > 0xFFFF_FFFFL) {
            throw new BadLineException("bad type '" + text + "': does not fit in 32 bits");
        }
        int type = (int) value;
        if (!FrameHeader.isApplicationType(type)) {
            throw new BadLineException("type=" + FrameHeader.typeToString(type)
                    + " is reserved: bits 28..31 belong to the framing layer (RST="
                    + FrameHeader.typeToString(FrameHeader.RST) + "); application types are "
                    + FrameHeader.typeToString(0) + ".." + FrameHeader.typeToString(FrameHeader.MAX_APPLICATION_TYPE));
        }
        return type;
    }

    private static int parseLength(String text) throws BadLineException {
        long length;
        try {
            length = Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadLineException("bad payload '" + text
                    + "': expected a LENGTH (e.g. 5 or 64KiB), hex:HEX or @FILE");
        }
        if (length > MAX_LENGTH) {
            throw new BadLineException("length=" + length + " exceeds " + MAX_LENGTH
                    + " (1 GiB), the largest payload this tool builds");
        }
        return (int) length;
    }

    private static byte[] parseHex(String text) throws BadLineException {
        String digits = text.replaceAll("[\\s_]", "");
        if (digits.length() % 2 != 0) {
            throw new BadLineException("bad hex payload: odd number of digits (" + digits.length() + ")");
        }
        try {
            return HexFormat.of().parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new BadLineException("bad hex payload: " + e.getMessage());
        }
    }

    private byte[] readFile(String name) throws BadLineException {
        if (name.isEmpty()) {
            throw new BadLineException("missing file name after '@'");
        }
        Path path;
        try {
            path = baseDirectory.resolve(name);
        } catch (InvalidPathException e) {
            throw new BadLineException("bad file name '" + name + "': " + e.getReason());
        }
        try {
            if (Files.isDirectory(path)) {
                throw new BadLineException("cannot read file '" + name + "': it is a directory");
            }
            long size = Files.size(path);
            if (size > MAX_LENGTH) {
                throw new BadLineException("file '" + name + "' has " + size + " bytes, more than "
                        + MAX_LENGTH + " (1 GiB), the largest payload this tool builds");
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new BadLineException("cannot read file '" + name + "': no such file");
        } catch (AccessDeniedException e) {
            throw new BadLineException("cannot read file '" + name + "': permission denied");
        } catch (IOException e) {
            throw new BadLineException("cannot read file '" + name + "': " + e.getMessage());
        }
    }

    /** The filler payload of {@code TYPE LENGTH}: byte i is {@code i mod 256}, easy for a peer to check. */
    static byte[] filler(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
