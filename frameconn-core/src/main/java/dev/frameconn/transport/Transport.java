package dev.frameconn.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The byte stream under a connection, in blocking mode: a service-provider
 * interface for transports other than the built-in TCP and Unix domain sockets
 * (TLS, in-memory pipes for tests and benchmarks).
 *
 * <p>Contract the connection relies on: {@link #read} blocks until at least one
 * byte is available and then returns what is there, without waiting for more;
 * writes may be partial. Reads and writes may run on two threads at once; each
 * direction has at most one caller at a time (the connection's locks see to
 * that). {@link #close()} and {@link #abort()} may be called from any thread and
 * must wake a blocked reader or writer, which then throws an
 * {@link java.nio.channels.ClosedChannelException} (or a subtype).
 */
public interface Transport {
    /**
     * Reads at least one byte unless at end of stream (-1); never waits for more than is available.
     *
     * @param dst the buffer to read into
     * @return the number of bytes read, or -1 at end of stream
     * @throws IOException if reading fails
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Scattering read: fills {@code first}, then {@code second}, with what is
     * available; at least one byte unless at end of stream (-1), and never
     * waits for more than is available. The connection uses it to read the end
     * of a large payload and the next header in one call. The default reads
     * into {@code first} only, which is always correct.
     *
     * @param first the buffer filled first
     * @param second the buffer filled after {@code first}
     * @return the number of bytes read, or -1 at end of stream
     * @throws IOException if reading fails
     */
    default long read(ByteBuffer first, ByteBuffer second) throws IOException {
        return read(first);
    }

    /**
     * How many bytes a {@link #read} would return now without blocking, found
     * out without reading and without blocking: 0 if none has arrived yet, or
     * -1 if this transport cannot tell (the default). The connection polls it
     * only while it spins before a blocking read
     * ({@link dev.frameconn.FrameConnConfig#readSpin()}), so a transport that
     * keeps the default is never spun on: its reads park at once, as with the
     * spin off. A transport that decrypts or decodes (TLS) must answer for the
     * bytes its {@code read} would return, not for raw bytes below it; if it
     * cannot, it keeps the default. Only the reader calls it.
     *
     * @return bytes readable now, 0 if none, or -1 if unknown
     * @throws IOException if the transport is closed or broken
     */
    default int available() throws IOException {
        return -1;
    }

    /**
     * Gathering write: writes some bytes of {@code srcs[offset..offset+length)},
     * in order; may write fewer than all. The default calls
     * {@link #write(ByteBuffer)} on each buffer in turn and stops at the first
     * that it leaves with bytes remaining, so that no byte of a later buffer
     * goes out before all of an earlier one. Returns the bytes written.
     *
     * @param srcs the buffers to write from
     * @param offset index of the first buffer
     * @param length number of buffers
     * @return the number of bytes written
     * @throws IOException if writing fails
     */
    default long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
            if (srcs[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    /**
     * Writes some bytes of {@code src}; may write fewer than all.
     *
     * @param src the buffer to write from
     * @return the number of bytes written
     * @throws IOException if writing fails
     */
    int write(ByteBuffer src) throws IOException;

    /**
     * Half-closes the write side: the peer reads end of stream after all data written before.
     *
     * @throws IOException if the half-close fails
     */
    void shutdownOutput() throws IOException;

    /**
     * Closes the stream in the ordinary way; wakes blocked readers and writers.
     *
     * @throws IOException if closing fails
     */
    void close() throws IOException;

    /** Closes abortively (TCP: RST via SO_LINGER 0) and never throws; wakes blocked callers. */
    void abort();

    /**
     * False once closed or aborted.
     *
     * @return whether the transport is open
     */
    boolean isOpen();

    /**
     * Local address, or null if unknown; the default returns null.
     *
     * @return the local address, or null
     */
    default SocketAddress localAddress() {
        return null;
    }

    /**
     * Remote address, or null if unknown; the default returns null.
     *
     * @return the remote address, or null
     */
    default SocketAddress remoteAddress() {
        return null;
    }
}
