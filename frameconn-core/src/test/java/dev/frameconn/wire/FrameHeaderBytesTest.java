package dev.frameconn.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The header helpers against bytes written out by hand (never produced by {@link FrameHeader}
 * itself): every byte of the golden header differs, and several have their top bit set, so a
 * swapped byte, a wrong shift or a sign-extended byte all show. The headers sit at a non-zero
 * index between guard bytes, so writing at the wrong offset or past the header shows too.
 */
@Timeout(10)
class FrameHeaderBytesTest {
    private static final HexFormat HEX = HexFormat.of();
    /** type 0x0a8b_c9fe, payload length 0xf1e2_d3c4: hand-written, big-endian. */
    private static final String GOLDEN = "0a8bc9fe" + "f1e2d3c4";
    private static final int TYPE = 0x0a8b_c9fe;
    private static final int LENGTH = 0xf1e2_d3c4;
    private static final byte GUARD = 0x5a;

    @Test
    void encodeIntoAnArrayWritesTheGoldenBytesAtTheIndexAndNothingElse() {
        byte[] dst = new byte[3 + 8 + 3];
        Arrays.fill(dst, GUARD);
        FrameHeader.encode(dst, 3, TYPE, LENGTH);
        assertThat(HEX.formatHex(dst)).isEqualTo("5a5a5a" + GOLDEN + "5a5a5a");
    }

    @Test
    void encodeIntoABufferWritesTheGoldenBytesAtTheIndexAndLeavesThePositionAlone() {
        ByteBuffer dst = ByteBuffer.allocate(3 + 8 + 3);
        Arrays.fill(dst.array(), GUARD);
        dst.position(1);
        FrameHeader.encode(dst, 3, TYPE, LENGTH);
        assertThat(HEX.formatHex(dst.array())).isEqualTo("5a5a5a" + GOLDEN + "5a5a5a");
        assertThat(dst.position()).isEqualTo(1);
    }

    @Test
    void toBytesIsTheGoldenHeader() {
        assertThat(HEX.formatHex(FrameHeader.toBytes(TYPE, LENGTH))).isEqualTo(GOLDEN);
        assertThat(HEX.formatHex(FrameHeader.toBytes(FrameHeader.RST, 0))).isEqualTo("1000000000000000");
    }

    @Test
    void decodeFromAnArrayReadsTheGoldenBytesAtTheIndex() {
        byte[] src = HEX.parseHex("ffffff" + GOLDEN + "ffffff");
        assertThat(FrameHeader.type(src, 3)).isEqualTo(TYPE);
        assertThat(FrameHeader.payloadLength(src, 3)).isEqualTo(0xf1e2_d3c4L);
    }

    @Test
    void decodeFromABufferReadsTheGoldenBytesAtTheIndex() {
        ByteBuffer src = ByteBuffer.wrap(HEX.parseHex("ffffff" + GOLDEN + "ffffff"));
        assertThat(FrameHeader.type(src, 3)).isEqualTo(TYPE);
        assertThat(FrameHeader.payloadLength(src, 3)).isEqualTo(0xf1e2_d3c4L);
        assertThat(src.position()).isZero();
    }

    @Test
    void everyByteOfTheTypeCountsWithItsOwnWeight() {
        // each byte alone: catches a lost byte, a wrong shift and sign extension of 0x80..0xff
        for (int i = 0; i < 4; i++) {
            byte[] src = new byte[8];
            src[i] = (byte) 0x80;
            src[4 + i] = (byte) 0xff;
            int shift = 8 * (3 - i);
            assertThat(FrameHeader.type(src, 0)).as("type byte %d", i).isEqualTo(0x80 << shift);
            assertThat(FrameHeader.payloadLength(src, 0)).as("length byte %d", i).isEqualTo(0xffL << shift);
        }
    }

    @Test
    void thePayloadLengthIsUnsigned() {
        assertThat(FrameHeader.payloadLength(HEX.parseHex("00000000ffffffff"), 0)).isEqualTo(4_294_967_295L);
        assertThat(FrameHeader.payloadLength(ByteBuffer.wrap(HEX.parseHex("0000000080000000")), 0))
                .isEqualTo(2_147_483_648L);
    }

    @Test
    void onlyTypesWithBits28To31ClearAreApplicationTypes() {
        assertThat(FrameHeader.isApplicationType(0)).isTrue();
        assertThat(FrameHeader.isApplicationType(FrameHeader.MAX_APPLICATION_TYPE)).isTrue();
        for (int bit = 28; bit < 32; bit++) {
            assertThat(FrameHeader.isApplicationType(1 << bit)).as("bit %d", bit).isFalse();
        }
        assertThat(FrameHeader.isApplicationType(FrameHeader.RST)).isFalse();
    }

    @Test
    void typesAreShownAsEightHexDigits() {
        assertThat(FrameHeader.typeToString(0x2a)).isEqualTo("0x0000002a");
        assertThat(FrameHeader.typeToString(FrameHeader.RST)).isEqualTo("0x10000000");
        assertThat(FrameHeader.typeToString(-1)).isEqualTo("0xffffffff");
    }
}
