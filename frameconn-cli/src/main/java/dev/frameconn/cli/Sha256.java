package dev.frameconn.cli;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as the tools print it: 64 lower-case hex digits. */
final class Sha256 {
    private Sha256() {}

    /** A new SHA-256 digest; every Java runtime has one. */
    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** The hash of the bytes between position and limit; the buffer's position is left alone. */
    static String hex(ByteBuffer bytes) {
        MessageDigest digest = newDigest();
        digest.update(bytes.duplicate());
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The hash of the whole array. */
    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /** A finished digest in hex. */
    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
