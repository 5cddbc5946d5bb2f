package dev.frameconn.testing;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.frameconn.ConnectionBrokenException;
import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameConnException;
import dev.frameconn.FrameProtocolException;
import dev.frameconn.FrameTooLargeException;
import dev.frameconn.ShutdownResult;
import dev.frameconn.TruncatedFrameException;
import dev.frameconn.buffer.BufferPool;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The frame reader fed arbitrary byte streams in arbitrary chunk sizes
 * (Jazzer). For every input it must:
 * <ul>
 *   <li>deliver exactly the frames a simple reference parser finds, byte for
 *       byte, then end with exactly the exception that parser predicts
 *       ({@link EndOfStreamException}, {@link TruncatedFrameException} with the
 *       right counts, {@link FrameTooLargeException},
 *       {@link FrameProtocolException}, or {@link ConnectionShutdownException}
 *       for RST), and keep failing the documented way on the next read;</li>
 *   <li>never allocate more than the delivered payloads plus one
 *       {@link #MAX_PAYLOAD} and a small constant per frame (measured on the
 *       reading thread: buffers above the pool's 1 KiB classes are heap
 *       allocations, so an allocation for an unchecked length would show);</li>
 *   <li>never hang: the scripted transport never blocks and fails a reader
 *       that keeps reading after the end;</li>
 *   <li>shut down without throwing, and give every pooled buffer back.</li>
 * </ul>
 *
 * <p>Input layout: byte 0 picks the chunking (0: one chunk; n: pseudo-random
 * chunks of 1..n bytes seeded by n), byte 1 the read buffer size
 * (512 &lt;&lt; (b % 4)), the rest is the byte stream. Plain {@code mvn verify}
 * runs only the regression inputs in
 * {@code src/test/resources/dev/frameconn/testing/FrameReaderFuzzTestInputs/readFrames/};
 * {@code JAZZER_FUZZ=1} fuzzes (see the module README).
 */
// JAZZER_FUZZ=1 fuzzes for maxDuration (5 min) in one invocation: the module's 60 s default would cut it
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FrameReaderFuzzTest {
    static final int MAX_PAYLOAD = 64 << 10;
    /** Allocation allowed per frame and exception besides payloads: frame objects, stack traces. */
    private static final long PER_FRAME_ALLOWANCE = 4 << 10;
    private static final long FIXED_ALLOWANCE = 256 << 10;
    /**
     * While fuzzing, Jazzer's coverage instrumentation allocates on the reading
     * thread (megabytes for an input of a hundred 1-byte chunks), which would
     * drown the measurement; the bound is checked when the inputs are replayed
     * without instrumentation, as {@code mvn verify} does with the corpus.
     */
    private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @FuzzTest(maxDuration = "5m")
    void readFrames(byte[] input) throws Exception {
        if (input.length < 2) {
            return;
        }
        // twice: the first run loads the classes its path needs (which allocates), the second is measured
        readFramesOnce(input, false);
        readFramesOnce(input, true);
    }

    private static void readFramesOnce(byte[] input, boolean measure) throws Exception {
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);
        List<byte[]> chunks = chunks(stream, input[0] & 0xFF);
        int readBufferSize = 512 << ((input[1] & 0xFF) % 4);
        Expected expected = Expected.parse(stream, MAX_PAYLOAD);

        BufferPool pool = new BufferPool(6, 10, 4, 1 << 16);
        FrameConnConfig config = FrameConnConfig.defaults()
                .withBufferPool(pool)
                .withMaxPayloadLength(MAX_PAYLOAD)
                .withReadBufferSize(readBufferSize)
                .withIdleTimeout(Duration.ZERO);
        ScriptedTransport transport = ScriptedTransport.of(chunks);
        FrameConn conn = FrameConn.over(transport, config);
        ShutdownResult result;
        try {
            long delivered = 0;
            int frames = 0;
            IOException ended = null;
            long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
            while (ended == null) {
                try (Frame frame = conn.readFrame()) {
                    if (frames >= expected.frames.size()) {
                        throw new AssertionError("frame " + frames + " delivered, reference expects "
                                + expected.frames.size() + " then " + expected.ending);
                    }
                    checkFrame(frame, expected.frames.get(frames), stream, frames);
                    delivered += frame.length();
                    frames++;
                } catch (IOException e) {
                    ended = e;
                }
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
            long bound = delivered + MAX_PAYLOAD + readBufferSize + FIXED_ALLOWANCE
                    + PER_FRAME_ALLOWANCE * (frames + 1);
            if (measure && !FUZZING && allocated > bound) {
                throw new AssertionError("reading allocated " + allocated + " bytes, bound " + bound
                        + " (delivered " + delivered + " bytes in " + frames + " frames)");
            }
            if (frames != expected.frames.size()) {
                throw new AssertionError("delivered " + frames + " frames, reference expects "
                        + expected.frames.size() + "; ended with " + ended, ended);
            }
            expected.checkEnding(ended);
            expected.checkNextRead(conn);
        } finally {
            // checked after the finally: a throw here would hide the failure that got us here
            try {
                result = conn.shutdown(Duration.ofSeconds(5)); // must not throw
            } finally {
                conn.close();
            }
        }
        if (result == null) {
            throw new AssertionError("shutdown returned null");
        }
        if (pool.outstanding() != 0) {
            throw new AssertionError("buffers outstanding after close: " + pool);
        }
    }

    private static void checkFrame(Frame frame, long[] expected, byte[] stream, int index) {
        int type = (int) expected[0];
        int offset = (int) expected[1];
        int length = (int) expected[2];
        if (frame.type() != type || frame.length() != length) {
            throw new AssertionError("frame " + index + ": " + frame + ", reference expects type="
                    + FrameHeader.typeToString(type) + " length=" + length);
        }
        ByteBuffer payload = frame.payload();
        if (payload.position() != 0 || payload.limit() != length) {
            throw new AssertionError("frame " + index + ": payload " + payload + " does not show exactly the payload");
        }
        for (int i = 0; i < length; i++) {
            if (payload.get(i) != stream[offset + i]) {
                throw new AssertionError("frame " + index + ": payload byte " + i + " differs");
            }
        }
    }

    /** Splits the stream: one chunk if {@code control} is 0, else pseudo-random sizes 1..control. */
    static List<byte[]> chunks(byte[] stream, int control) {
        List<byte[]> out = new ArrayList<>();
        if (control == 0) {
            out.add(stream);
            return out;
        }
        int x = control * 0x9E3779B9 | 1;
        for (int at = 0; at < stream.length; ) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            int size = 1 + Integer.remainderUnsigned(x, control);
            int end = Math.min(stream.length, at + size);
            out.add(Arrays.copyOfRange(stream, at, end));
            at = end;
        }
        return out;
    }

    /** What a plain reading of the specification says the reader must do with a stream. */
    static final class Expected {
        /** Delivered frames: {type, payload offset in the stream, length}. */
        final List<long[]> frames = new ArrayList<>();
        /** How reading ends. */
        String ending;
        long truncatedReceived;
        long truncatedExpected;
        String truncatedPart;

        /**
         * The reference reading, by its own byte arithmetic and nothing of {@link FrameHeader}:
         * checking the reader's reserved-bit and length rules against the code that implements
         * them would pass whatever that code does. Header: 4 bytes type, 4 bytes length, both
         * big-endian, unsigned; the type's top four bits are reserved, and 0x10000000 (RST) is
         * the only reserved type defined.
         */
        static Expected parse(byte[] s, int max) {
            Expected e = new Expected();
            int at = 0;
            while (true) {
                int left = s.length - at;
                if (left == 0) {
                    e.ending = "end";
                    return e;
                }
                if (left < 8) {
                    e.truncated("header", left, 8);
                    return e;
                }
                long type = bigEndian32(s, at);
                long length = bigEndian32(s, at + 4);
                at += 8;
                left -= 8;
                if (type >= 0x1000_0000L) { // any of bits 28..31
                    if (type != 0x1000_0000L) {
                        e.ending = "protocol";
                    } else if (length > max) {
                        e.ending = "tooLarge";
                    } else if (left < length) {
                        // whether the reason part or the skipped rest is cut short, all that came counts
                        e.truncated("payload", left, length);
                    } else {
                        e.ending = "rst";
                    }
                    return e;
                }
                if (length > max) {
                    e.ending = "tooLarge";
                    return e;
                }
                if (left < length) {
                    e.truncated("payload", left, length);
                    return e;
                }
                e.frames.add(new long[] {type, at, length});
                at += (int) length;
            }
        }

        /** Four bytes from {@code at}, most significant first, as an unsigned value. */
        static long bigEndian32(byte[] s, int at) {
            return (s[at] & 0xFFL) << 24 | (s[at + 1] & 0xFFL) << 16 | (s[at + 2] & 0xFFL) << 8 | (s[at + 3] & 0xFFL);
        }

        private void truncated(String part, long received, long expected) {
            ending = "truncated";
            truncatedPart = part;
            truncatedReceived = received;
            truncatedExpected = expected;
        }

        void checkEnding(IOException e) {
            boolean ok = switch (ending) {
                case "end" -> e instanceof EndOfStreamException;
                case "protocol" -> e instanceof FrameProtocolException;
                case "tooLarge" -> e instanceof FrameTooLargeException;
                case "rst" -> e instanceof ConnectionShutdownException c && c.byPeer();
                case "truncated" -> e instanceof TruncatedFrameException t
                        && t.received() == truncatedReceived && t.expected() == truncatedExpected
                        && t.getMessage().contains(truncatedPart);
                default -> false;
            };
            if (!ok) {
                throw new AssertionError("reading ended with " + e + ", reference expects " + describe(), e);
            }
        }

        /** The read after the ending fails the documented way, at once. */
        void checkNextRead(FrameConn conn) {
            try (Frame f = conn.readFrame()) {
                throw new AssertionError("a read after " + describe() + " delivered " + f);
            } catch (IOException e) {
                boolean ok = switch (ending) {
                    case "end" -> e instanceof EndOfStreamException;
                    case "rst" -> e instanceof ConnectionShutdownException;
                    default -> e instanceof ConnectionBrokenException;
                };
                if (!ok || !(e instanceof FrameConnException)) {
                    throw new AssertionError("the read after " + describe() + " threw " + e, e);
                }
            }
        }

        private String describe() {
            return ending + (ending.equals("truncated")
                    ? " " + truncatedPart + " " + truncatedReceived + "/" + truncatedExpected : "");
        }
    }
}
