package dev.frameconn;

import dev.frameconn.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory transport for the connection's own calls and its shutdown
 * steps: serves fixed bytes then end of stream, keeps what is written, and
 * fails or waits where the test says (shutdownOutput, close). Its addresses
 * are {@link #LOCAL} and {@link #REMOTE}.
 */
final class MemoryTransport implements Transport {
    static final SocketAddress LOCAL = InetSocketAddress.createUnresolved("local", 1);
    static final SocketAddress REMOTE = InetSocketAddress.createUnresolved("remote", 2);

    private final ByteBuffer in;
    /** Reads come from the one reader under the read lock; writes may come from the background writer. */
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    IOException shutdownOutputFails;
    IOException closeFails;
    /** If set, shutdownOutput waits for it (after counting down inShutdownOutput). */
    volatile CountDownLatch shutdownOutputGate;
    final CountDownLatch inShutdownOutput = new CountDownLatch(1);
    volatile boolean closed;
    volatile boolean aborted;
    /** The transport closed under the connection (by someone else): not open, not closed by it. */
    volatile boolean lost;

    MemoryTransport(byte[] bytes) {
        this.in = ByteBuffer.wrap(bytes);
    }

    @Override
    public int read(ByteBuffer dst) {
        if (!in.hasRemaining()) {
            return -1;
        }
        int n = Math.min(dst.remaining(), in.remaining());
        dst.put(dst.position(), in, in.position(), n);
        dst.position(dst.position() + n);
        in.position(in.position() + n);
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        byte[] b = new byte[n];
        src.get(b);
        lock.lock();
        try {
            out.writeBytes(b);
        } finally {
            lock.unlock();
        }
        return n;
    }

    byte[] written() {
        lock.lock();
        try {
            return out.toByteArray();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        CountDownLatch gate = shutdownOutputGate;
        inShutdownOutput.countDown();
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted at the gate");
            }
        }
        if (shutdownOutputFails != null) {
            throw shutdownOutputFails;
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (closeFails != null) {
            throw closeFails;
        }
    }

    @Override
    public void abort() {
        aborted = true;
    }

    @Override
    public boolean isOpen() {
        return !closed && !aborted && !lost;
    }

    @Override
    public SocketAddress localAddress() {
        return LOCAL;
    }

    @Override
    public SocketAddress remoteAddress() {
        return REMOTE;
    }
}
