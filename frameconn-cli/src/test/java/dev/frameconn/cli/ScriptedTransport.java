package dev.frameconn.cli;

import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.CountDownLatch;

/**
 * A {@link Transport} that plays back fixed bytes, then either ends the stream,
 * throws a given exception, or blocks until closed (to provoke an idle
 * timeout). Writes are swallowed. Lets unit tests obtain the core's real
 * exceptions, whose constructors are not public.
 */
final class ScriptedTransport implements Transport {
    private final ByteBuffer input;
    private final IOException failure;
    private final boolean blockAtEnd;
    private final CountDownLatch closed = new CountDownLatch(1);

    private ScriptedTransport(byte[] input, IOException failure, boolean blockAtEnd) {
        this.input = ByteBuffer.wrap(input);
        this.failure = failure;
        this.blockAtEnd = blockAtEnd;
    }

    /** Plays {@code input}, then end of stream. */
    static ScriptedTransport ending(byte[] input) {
        return new ScriptedTransport(input, null, false);
    }

    /** Plays {@code input}, then throws {@code failure}. */
    static ScriptedTransport failing(byte[] input, IOException failure) {
        return new ScriptedTransport(input, failure, false);
    }

    /** Plays {@code input}, then blocks until closed or aborted. */
    static ScriptedTransport blocking(byte[] input) {
        return new ScriptedTransport(input, null, true);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (closed.getCount() == 0) {
            throw new AsynchronousCloseException();
        }
        if (input.hasRemaining()) {
            int n = Math.min(dst.remaining(), input.remaining());
            dst.put(dst.position(), input, input.position(), n);
            dst.position(dst.position() + n);
            input.position(input.position() + n);
            return n;
        }
        if (failure != null) {
            throw failure;
        }
        if (blockAtEnd) {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new AsynchronousCloseException();
        }
        return -1;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
            srcs[i].position(srcs[i].limit());
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        src.position(src.limit());
        return n;
    }

    @Override
    public void shutdownOutput() {}

    @Override
    public void close() {
        closed.countDown();
    }

    @Override
    public void abort() {
        closed.countDown();
    }

    @Override
    public boolean isOpen() {
        return closed.getCount() != 0;
    }

    @Override
    public java.net.SocketAddress localAddress() {
        return null;
    }

    @Override
    public java.net.SocketAddress remoteAddress() {
        return null;
    }
}
