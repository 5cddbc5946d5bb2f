package dev.frameconn.bench.jmh;

import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.annotations.Mode;

/** Encoding and decoding the 8-byte header, into and out of a direct buffer and a byte array. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameHeaderBenchmark {
    private final ByteBuffer direct = ByteBuffer.allocateDirect(64);
    private final byte[] array = new byte[64];
    // fields, not constants, so that the JIT cannot fold the work away
    private int type = 0x0000_0b0b;
    private int length = 65_536;

    /** Writes a header into a direct buffer. */
    @Benchmark
    public ByteBuffer encodeDirect() {
        FrameHeader.encode(direct, 0, type, length);
        return direct;
    }

    /** Reads type and length back from a direct buffer. */
    @Benchmark
    public long decodeDirect() {
        return FrameHeader.type(direct, 0) + FrameHeader.payloadLength(direct, 0);
    }

    /** Writes a header into a byte array. */
    @Benchmark
    public byte[] encodeArray() {
        FrameHeader.encode(array, 0, type, length);
        return array;
    }

    /** Reads type and length back from a byte array. */
    @Benchmark
    public long decodeArray() {
        return FrameHeader.type(array, 0) + FrameHeader.payloadLength(array, 0);
    }
}
