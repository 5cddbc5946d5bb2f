package dev.frameconn;

import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;

/**
 * Follows frame boundaries through bytes the shutdown drain discards, to tell
 * whether the peer answered with RST. It must start at a frame boundary; on
 * anything that is not a frame header it gives up (the answer stays no).
 */
final class RstScanner {
    private final byte[] header = new byte[FrameHeader.LENGTH];
    private int have;
    private long skip;
    private boolean lost;
    private boolean sawRst;

    /** Looks at {@code buf[from..to)} without moving its position. */
    void scan(ByteBuffer buf, int from, int to) {
        int i = from;
        while (i < to && !lost && !sawRst) {
            if (skip > 0) {
                int n = (int) Math.min(skip, to - i);
                skip -= n;
                i += n;
                continue;
            }
            header[have++] = buf.get(i++);
            if (have == FrameHeader.LENGTH) {
                have = 0;
                int type = FrameHeader.type(header, 0);
                if (type == FrameHeader.RST) {
                    sawRst = true;
                } else if (!FrameHeader.isApplicationType(type)) {
                    lost = true;
                }
                skip = FrameHeader.payloadLength(header, 0);
            }
        }
    }

    /** True once an RST header went by. */
    boolean sawRst() {
        return sawRst;
    }
}
