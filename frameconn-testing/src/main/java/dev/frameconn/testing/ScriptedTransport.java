package dev.frameconn.testing;

import dev.frameconn.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Transport} that plays a fixed script: reads return the given chunks
 * one read call at a time (a chunk larger than the reader's buffer is served
 * over several calls, never merged with the next), then end of stream or a
 * chosen failure. Writes always succeed at once and are recorded.
 *
 * <p>It never blocks, so a connection over it cannot hang on I/O: exactly what
 * a fuzzer or a model checker needs. Reads after the end keep returning -1 (or
 * throwing), but more than {@link #MAX_READS_AFTER_END} of them throw an
 * {@link AssertionError}: a reader that keeps asking after end of stream is
 * looping. Thread-safe.
 */
public final class ScriptedTransport implements Transport {
    /** Reads after the end of the script that are still tolerated. */
    public static final int MAX_READS_AFTER_END = 1000;

    private final ReentrantLock lock = new ReentrantLock();
    private final List<byte[]> chunks;
    private final IOException failure;
    private int chunk;
    private int offset;
    private int readsAfterEnd;
    private int emptyReads;
    private long readCalls;
    private long bytesServed;
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private boolean outputShut;
    private boolean closed;
    private boolean aborted;

    private ScriptedTransport(List<byte[]> chunks, IOException failure) {
        this.chunks = chunks;
        this.failure = failure;
    }

    /**
     * Serves {@code chunks} in order, then end of stream. Empty chunks are skipped.
     *
     * @param chunks the bytes each read serves, in order
     * @return the transport
     */
    public static ScriptedTransport of(List<byte[]> chunks) {
        return new ScriptedTransport(copy(chunks), null);
    }

    /**
     * Serves {@code chunks} in order, then throws {@code failure} on every read.
     *
     * @param chunks the bytes each read serves, in order
     * @param failure thrown by every read after the chunks
     * @return the transport
     */
    public static ScriptedTransport failingWith(List<byte[]> chunks, IOException failure) {
        return new ScriptedTransport(copy(chunks), Objects.requireNonNull(failure, "failure"));
    }

    /**
     * Serves {@code stream} in chunks of at most {@code chunkSize} bytes, then end of stream.
     *
     * @param stream the bytes to serve
     * @param chunkSize most bytes per read, 1 or more
     * @return the transport
     */
    public static ScriptedTransport chunked(byte[] stream, int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize=" + chunkSize + " must be >= 1");
        }
        List<byte[]> chunks = new ArrayList<>();
        for (int at = 0; at < stream.length; at += chunkSize) {
            chunks.add(java.util.Arrays.copyOfRange(stream, at, Math.min(stream.length, at + chunkSize)));
        }
        return new ScriptedTransport(chunks, null);
    }

    private static List<byte[]> copy(List<byte[]> chunks) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] c : chunks) {
            if (c.length > 0) {
                out.add(c.clone());
            }
        }
        return out;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        lock.lock();
        try {
            readCalls++;
            if (closed || aborted) {
                throw new ClosedChannelException();
            }
            if (!dst.hasRemaining()) {
                // legal once, but a reader that keeps offering no room spins for ever
                if (++emptyReads > MAX_READS_AFTER_END) {
                    throw new AssertionError("scripted transport: " + emptyReads
                            + " reads into a full buffer: the reader is looping");
                }
                return 0;
            }
            emptyReads = 0;
            if (chunk == chunks.size()) {
                if (++readsAfterEnd > MAX_READS_AFTER_END) {
                    throw new AssertionError("scripted transport: " + readsAfterEnd
                            + " reads after the end of the script: the reader is looping");
                }
                if (failure != null) {
                    IOException e = new IOException(failure.getMessage());
                    e.initCause(failure);
                    throw e;
                }
                return -1;
            }
            byte[] current = chunks.get(chunk);
            int n = Math.min(dst.remaining(), current.length - offset);
            dst.put(current, offset, n);
            offset += n;
            bytesServed += n;
            if (offset == current.length) {
                chunk++;
                offset = 0;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        lock.lock();
        try {
            if (closed || aborted) {
                throw new ClosedChannelException();
            }
            if (outputShut) {
                throw new IOException("scripted transport: write after shutdownOutput");
            }
            int n = src.remaining();
            byte[] bytes = new byte[n];
            src.get(bytes);
            written.write(bytes, 0, n);
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        lock.lock();
        try {
            if (closed || aborted) {
                throw new ClosedChannelException();
            }
            outputShut = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void abort() {
        lock.lock();
        try {
            aborted = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isOpen() {
        lock.lock();
        try {
            return !closed && !aborted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * True if {@link #abort()} was called (an abortive close), as opposed to only {@link #close()}.
     *
     * @return whether the transport was aborted
     */
    public boolean wasAborted() {
        lock.lock();
        try {
            return aborted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * True if the write side was half-closed.
     *
     * @return whether the output was shut
     */
    public boolean outputShut() {
        lock.lock();
        try {
            return outputShut;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Everything written so far.
     *
     * @return a copy of the bytes written
     */
    public byte[] written() {
        lock.lock();
        try {
            return written.toByteArray();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Read calls so far, including those at the end.
     *
     * @return the number of read calls
     */
    public long readCalls() {
        lock.lock();
        try {
            return readCalls;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Bytes of the script served so far.
     *
     * @return the number of bytes served
     */
    public long bytesServed() {
        lock.lock();
        try {
            return bytesServed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "ScriptedTransport[chunks=" + chunks.size() + ", served=" + bytesServed() + "]";
    }
}
