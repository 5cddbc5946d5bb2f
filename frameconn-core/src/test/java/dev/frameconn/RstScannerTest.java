package dev.frameconn;

import static dev.frameconn.TestFrames.concat;
import static dev.frameconn.TestFrames.frame;
import static dev.frameconn.TestFrames.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RstScanner} on bytes written by hand, no sockets: it follows frame
 * boundaries across any split of the bytes, skips payloads without looking at
 * them, looks only at {@code [from, to)}, and gives up (answers no) on a header
 * with reserved bits other than RST's.
 */
@Timeout(10)
class RstScannerTest {
    private static final int RST = FrameHeader.RST;

    @Test
    void anRstHeaderAfterFramesIsSeenWhateverTheSplit() {
        // payload bytes that look like an RST header must be skipped, not read as one
        byte[] rstLookalike = header(RST, 0);
        byte[] bytes = concat(frame(1, rstLookalike), frame(7, new byte[300]), header(RST, 5), new byte[5]);
        for (int chunk = 1; chunk <= bytes.length; chunk++) {
            RstScanner scanner = new RstScanner();
            feed(scanner, bytes, chunk);
            assertThat(scanner.sawRst()).as("chunk=%d", chunk).isTrue();
        }
    }

    @Test
    void rstBytesInsidePayloadsAreNotAnRst() {
        byte[] bytes = concat(frame(1, header(RST, 0)), frame(2, concat(header(RST, 0), header(RST, 0))));
        for (int chunk = 1; chunk <= bytes.length; chunk++) {
            RstScanner scanner = new RstScanner();
            feed(scanner, bytes, chunk);
            assertThat(scanner.sawRst()).as("chunk=%d", chunk).isFalse();
        }
    }

    @Test
    void aHeaderWithReservedBitsEndsTheScan() {
        // 0x2000_0000 is neither an application type nor RST: nothing after it can be trusted
        byte[] bytes = concat(header(0x2000_0000, 0), header(RST, 0));
        RstScanner scanner = new RstScanner();
        scanner.scan(ByteBuffer.wrap(bytes), 0, bytes.length);
        assertThat(scanner.sawRst()).isFalse();
        // and it stays lost for later bytes too
        byte[] rst = header(RST, 0);
        scanner.scan(ByteBuffer.wrap(rst), 0, rst.length);
        assertThat(scanner.sawRst()).isFalse();
    }

    @Test
    void anRstThatIsOnlyPartlyThereIsNotSeenYet() {
        byte[] rst = header(RST, 0);
        RstScanner scanner = new RstScanner();
        scanner.scan(ByteBuffer.wrap(rst), 0, FrameHeader.LENGTH - 1);
        assertThat(scanner.sawRst()).isFalse();
        scanner.scan(ByteBuffer.wrap(rst), FrameHeader.LENGTH - 1, FrameHeader.LENGTH);
        assertThat(scanner.sawRst()).isTrue();
    }

    @Test
    void onlyTheGivenRangeIsLookedAtAndThePositionStays() {
        // guard bytes before and after: an RST header in the guard must not count
        byte[] inside = frame(3, new byte[] {9, 9});
        byte[] bytes = concat(header(RST, 0), inside, header(RST, 0));
        ByteBuffer buf = ByteBuffer.wrap(bytes).position(2);
        RstScanner scanner = new RstScanner();
        scanner.scan(buf, FrameHeader.LENGTH, FrameHeader.LENGTH + inside.length);
        assertThat(scanner.sawRst()).isFalse();
        assertThat(buf.position()).isEqualTo(2);
        // the same bytes from the start do hold an RST
        RstScanner whole = new RstScanner();
        whole.scan(buf, 0, bytes.length);
        assertThat(whole.sawRst()).isTrue();
    }

    @Test
    void aPayloadSplitAcrossCallsIsSkippedToItsLastByte() {
        RstScanner scanner = new RstScanner();
        byte[] head = header(4, 3);
        scanner.scan(ByteBuffer.wrap(head), 0, head.length);
        byte[] payload = header(RST, 0); // 8 bytes, only 3 of which are payload
        scanner.scan(ByteBuffer.wrap(payload), 0, 3);
        assertThat(scanner.sawRst()).isFalse();
        // the next header starts right after the 3 payload bytes
        byte[] rest = header(RST, 0);
        scanner.scan(ByteBuffer.wrap(rest), 0, rest.length);
        assertThat(scanner.sawRst()).isTrue();
    }

    private static void feed(RstScanner scanner, byte[] bytes, int chunk) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        for (int from = 0; from < bytes.length; from += chunk) {
            scanner.scan(buf, from, Math.min(bytes.length, from + chunk));
        }
    }
}
