package dev.frameconn;

import dev.frameconn.wire.FrameHeader;
import java.io.ByteArrayOutputStream;

/** Frames as raw bytes, for tests that play the peer on the wire. */
final class TestFrames {
    private TestFrames() {}

    /** A header announcing {@code length} payload bytes of {@code type}. */
    static byte[] header(int type, int length) {
        byte[] h = new byte[FrameHeader.LENGTH];
        FrameHeader.encode(h, 0, type, length);
        return h;
    }

    /** A whole frame: header and payload. */
    static byte[] frame(int type, byte[] payload) {
        return concat(header(type, payload.length), payload);
    }

    /** The parts one after another. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
