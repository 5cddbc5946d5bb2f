package dev.frameconn.testing;

import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of an in-memory, socket-like byte stream: {@link #pair(int)} makes
 * two connected ends, each with a bounded buffer per direction, for running
 * frameconn without sockets (unit tests, model checking, benchmarks).
 *
 * <p>It behaves like a TCP socket where frameconn can tell: a full buffer
 * blocks the writer (back-pressure); {@link #shutdownOutput()} is a FIN (the
 * other end reads what was written, then end of stream); {@link #close()} with
 * unread input makes the other end's next read or write fail with "Connection
 * reset by peer", as TCP answers with RST; {@link #abort()} always does that;
 * writing to an end whose peer closed fails with "Broken pipe". A local close
 * or abort wakes blocked callers with {@link AsynchronousCloseException}.
 * Thread-safe; one reader and one writer per end at a time, as the
 * {@link Transport} contract says.
 */
public final class MemoryTransport implements Transport {
    private final Pipe in;
    private final Pipe out;
    private final String name;

    private MemoryTransport(Pipe in, Pipe out, String name) {
        this.in = in;
        this.out = out;
        this.name = name;
    }

    /**
     * Two connected ends: {@code [0]} is the "client", {@code [1]} the "server".
     *
     * @param bufferSize capacity in bytes of each direction's buffer, 1 or more
     * @return the two ends
     */
    public static MemoryTransport[] pair(int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize=" + bufferSize + " must be >= 1");
        }
        ReentrantLock lock = new ReentrantLock(); // one lock for both directions keeps close simple
        Pipe clientToServer = new Pipe(bufferSize, lock);
        Pipe serverToClient = new Pipe(bufferSize, lock);
        return new MemoryTransport[] {
            new MemoryTransport(serverToClient, clientToServer, "client"),
            new MemoryTransport(clientToServer, serverToClient, "server")
        };
    }

    /** A one-way byte buffer with FIN and RST flags. */
    private static final class Pipe {
        final byte[] ring;
        final ReentrantLock lock;
        final Condition changed;
        int head;
        int count;
        boolean finished;      // writer shut down its output: end of stream after the data
        boolean reset;         // writer's end went away abortively: reader fails
        boolean writerClosed;  // the writing end closed locally
        boolean readerClosed;  // the reading end closed: writes fail with broken pipe

        Pipe(int size, ReentrantLock lock) {
            this.ring = new byte[size];
            this.lock = lock;
            this.changed = lock.newCondition();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        in.lock.lock();
        try {
            while (true) {
                if (in.readerClosed) {
                    throw new AsynchronousCloseException();
                }
                if (in.reset) {
                    throw new IOException("Connection reset by peer");
                }
                if (in.count > 0) {
                    int n = Math.min(dst.remaining(), in.count);
                    for (int i = 0; i < n; i++) {
                        dst.put(in.ring[(in.head + i) % in.ring.length]);
                    }
                    in.head = (in.head + n) % in.ring.length;
                    in.count -= n;
                    in.changed.signalAll();
                    return n;
                }
                if (in.finished) {
                    return -1;
                }
                in.changed.awaitUninterruptibly();
            }
        } finally {
            in.lock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        // like writev: whatever fits now, without waiting once something was written
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!srcs[i].hasRemaining()) {
                continue;
            }
            int n = write(srcs[i], total == 0);
            total += n;
            if (srcs[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return write(src, true);
    }

    private int write(ByteBuffer src, boolean block) throws IOException {
        out.lock.lock();
        try {
            while (true) {
                if (out.writerClosed) {
                    throw new AsynchronousCloseException();
                }
                if (out.reset || out.readerClosed) {
                    throw new IOException("Broken pipe");
                }
                if (out.finished) {
                    throw new ClosedChannelException(); // write after shutdownOutput, as NIO says
                }
                int space = out.ring.length - out.count;
                if (space > 0 || !src.hasRemaining()) {
                    int n = Math.min(space, src.remaining());
                    int tail = (out.head + out.count) % out.ring.length;
                    for (int i = 0; i < n; i++) {
                        out.ring[(tail + i) % out.ring.length] = src.get();
                    }
                    out.count += n;
                    out.changed.signalAll();
                    return n;
                }
                if (!block) {
                    return 0;
                }
                out.changed.awaitUninterruptibly();
            }
        } finally {
            out.lock.unlock();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        out.lock.lock();
        try {
            if (out.writerClosed) {
                throw new ClosedChannelException();
            }
            out.finished = true;
            out.changed.signalAll();
        } finally {
            out.lock.unlock();
        }
    }

    @Override
    public void close() {
        out.lock.lock();
        try {
            if (in.readerClosed) {
                return;
            }
            // unread input: TCP answers the close with RST, and so do we
            boolean unread = in.count > 0;
            closeLocally(unread);
        } finally {
            out.lock.unlock();
        }
    }

    @Override
    public void abort() {
        out.lock.lock();
        try {
            if (!in.readerClosed) {
                closeLocally(true);
            }
        } finally {
            out.lock.unlock();
        }
    }

    private void closeLocally(boolean reset) {
        out.writerClosed = true;
        in.readerClosed = true;
        if (reset) {
            out.reset = true;
        } else {
            out.finished = true;
        }
        out.changed.signalAll();
        in.changed.signalAll();
    }

    @Override
    public boolean isOpen() {
        in.lock.lock();
        try {
            return !in.readerClosed;
        } finally {
            in.lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "MemoryTransport[" + name + (isOpen() ? "]" : ", closed]");
    }
}
