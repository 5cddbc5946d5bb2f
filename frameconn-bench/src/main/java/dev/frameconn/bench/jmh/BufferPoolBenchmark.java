package dev.frameconn.bench.jmh;

import dev.frameconn.buffer.BufferPool;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One acquire and one release of a pooled buffer, as every received frame
 * does: alone, and with two threads sharing the pool.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BufferPoolBenchmark {
    @Param({"64", "4096", "65536"})
    public int size;

    private BufferPool pool;

    @Setup
    public void setUp() {
        pool = new BufferPool(BufferPool.DEFAULT_MIN_SHIFT, BufferPool.DEFAULT_MAX_SHIFT,
                BufferPool.DEFAULT_MAX_FREE_PER_CLASS, BufferPool.DEFAULT_MAX_FREE_BYTES_PER_CLASS);
    }

    /** Acquire then release, one thread. */
    @Benchmark
    public ByteBuffer acquireRelease() {
        ByteBuffer buffer = pool.acquire(size);
        pool.release(buffer);
        return buffer;
    }

    /** Acquire then release, two threads on one pool. */
    @Benchmark
    @Threads(2)
    public ByteBuffer acquireReleaseTwoThreads() {
        ByteBuffer buffer = pool.acquire(size);
        pool.release(buffer);
        return buffer;
    }
}
