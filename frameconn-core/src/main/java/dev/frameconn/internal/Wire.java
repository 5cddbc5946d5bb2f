package dev.frameconn.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The byte stream under a connection, in blocking mode. TCP and Unix domain
 * sockets share one implementation; TLS brings its own.
 *
 * <p>Reads and writes may run on two threads at once; each direction has at
 * most one caller at a time (the connection's locks see to that).
 */
public interface Wire {
    /** Reads at least one byte unless at end of stream (-1); never waits for more than is available. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes some bytes of {@code srcs[offset..offset+length)}; may write fewer than all. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /** Writes some bytes of {@code src}; may write fewer than all. */
    int write(ByteBuffer src) throws IOException;

    /** Half-closes the write side: the peer reads end of stream after all data written before. */
    void shutdownOutput() throws IOException;

    /** Closes the stream in the ordinary way; wakes blocked readers and writers. */
    void close() throws IOException;

    /** Closes abortively (TCP: RST via SO_LINGER 0) and never throws; wakes blocked callers. */
    void abort();

    /** False once closed or aborted. */
    boolean isOpen();

    /** Local address, or null if unknown. */
    SocketAddress localAddress();

    /** Remote address, or null if unknown. */
    SocketAddress remoteAddress();
}
