package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.cli.FrameLineParser.BadLineException;
import dev.frameconn.cli.FrameLineParser.OutgoingFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameLineParserTest {
    @TempDir
    Path dir;

    private OutgoingFrame parse(String line) throws BadLineException {
        return new FrameLineParser(dir).parse(line);
    }

    @Test
    void lengthGivesFiller() throws BadLineException {
        OutgoingFrame frame = parse("1 300");
        assertThat(frame.type()).isEqualTo(1);
        assertThat(frame.payload()).hasSize(300);
        assertThat(frame.payload()[0]).isEqualTo((byte) 0);
        assertThat(frame.payload()[255]).isEqualTo((byte) 255);
        assertThat(frame.payload()[256]).isEqualTo((byte) 0);
        assertThat(frame.payload()[299]).isEqualTo((byte) 43);
    }

    @Test
    void lengthTakesSizeSuffixesAndZero() throws BadLineException {
        assertThat(parse("2 64KiB").payload()).hasSize(64 << 10);
        assertThat(parse("2 0").payload()).isEmpty();
    }

    @Test
    void hexPayload() throws BadLineException {
        assertThat(parse("0x2a hex:68656C6c6f").payload())
                .isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(parse("0x2a HEX:68 65_6c 6c 6f").payload())
                .isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(parse("3 hex:").payload()).isEmpty();
    }

    @Test
    void filePayloadRelativeToTheBaseDirectory() throws IOException, BadLineException {
        Files.writeString(dir.resolve("my payload.bin"), "file content");
        assertThat(parse("7 @my payload.bin").payload())
                .isEqualTo("file content".getBytes(StandardCharsets.US_ASCII));
        assertThat(parse("7 @ " + dir.resolve("my payload.bin")).payload()).hasSize(12);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1", "0x0, 0", "0X1f, 31", "0x0fffffff, 268435455", "268435455, 268435455"})
    void types(String text, int expected) throws BadLineException {
        assertThat(FrameLineParser.parseType(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x10000000", "268435456", "0xf0000000", "0xffffffff", "4294967295"})
    void reservedTypesAreRefusedWithTheReason(String type) {
        assertThatThrownBy(() -> parse(type + " 0"))
                .isInstanceOf(BadLineException.class)
                .hasMessageContaining("is reserved: bits 28..31 belong to the framing layer (RST=0x10000000)")
                .hasMessageContaining("application types are 0x00000000..0x0fffffff");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1                 | missing payload after type '1'",
        "x 5               | bad type 'x'",
        "-1 5              | bad type '-1'",
        "0x 5              | bad type '0x'",
        "0x123456789 5     | bad type '0x123456789'",
        "4294967296 5      | does not fit in 32 bits",
        "1.5 5             | bad type '1.5'",
        "1 five            | bad payload 'five': expected a LENGTH (e.g. 5 or 64KiB), hex:HEX or @FILE",
        "1 2GiB            | length=2147483648 exceeds 1073741824 (1 GiB)",
        "1 hex:abc         | bad hex payload: odd number of digits (3)",
        "1 hex:zz          | bad hex payload",
        "1 @               | missing file name after '@'",
        "1 @no-such-file   | cannot read file 'no-such-file': no such file",
    })
    void badLinesSayWhy(String line, String why) {
        assertThatThrownBy(() -> parse(line))
                .isInstanceOf(BadLineException.class)
                .hasMessageContaining(why);
    }

    @Test
    void directoryIsNotAPayload() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        assertThatThrownBy(() -> parse("1 @sub"))
                .isInstanceOf(BadLineException.class)
                .hasMessage("cannot read file 'sub': it is a directory");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t", "# a comment", "  #1 5"})
    void blankAndCommentLinesDescribeNoFrame(String line) throws BadLineException {
        assertThat(parse(line)).isNull();
    }

    @Test
    void surroundingWhitespaceIsIgnored() throws BadLineException {
        OutgoingFrame frame = parse("  \t5\t \t3  ");
        assertThat(frame.type()).isEqualTo(5);
        assertThat(frame.payload()).hasSize(3);
    }
}
