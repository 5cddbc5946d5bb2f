package dev.frameconn.bench.jmh;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link FrameConn#writeFrame} and {@link FrameConn#readFrame} over in-memory
 * transports with the default configuration (idle timeout on, shared pool):
 * the framing layer's own cost per frame, without the kernel's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameConnBenchmark {
    private static final int TYPE = 0x0000_0b0b;
    /** Bytes of pattern the reading transport cycles through: whole frames, at least this much. */
    private static final int PATTERN_BYTES = 256 << 10;

    @Param({"64", "4096", "65536"})
    public int payload;

    private FrameConn writer;
    private FrameConn reader;
    private ByteBuffer source;

    @Setup
    public void setUp() {
        source = ByteBuffer.allocateDirect(payload);
        writer = FrameConn.over(new DiscardTransport(), FrameConnConfig.defaults());
        int frame = FrameHeader.LENGTH + payload;
        int frames = Math.max(1, PATTERN_BYTES / frame);
        ByteBuffer pattern = ByteBuffer.allocateDirect(frames * frame);
        for (int i = 0; i < frames; i++) {
            FrameHeader.encode(pattern, i * frame, TYPE, payload);
        }
        reader = FrameConn.over(new RepeatingTransport(pattern), FrameConnConfig.defaults().withReuseFrames(true));
    }

    @TearDown
    public void tearDown() {
        writer.close();
        reader.close();
    }

    /** One frame written (header and payload handed to a transport that drops them). */
    @Benchmark
    public void writeFrame() throws IOException {
        writer.writeFrame(TYPE, source);
    }

    /** One frame read into a pooled buffer and closed again. */
    @Benchmark
    public int readFrame() throws IOException {
        try (Frame frame = reader.readFrame()) {
            return frame.length();
        }
    }
}
