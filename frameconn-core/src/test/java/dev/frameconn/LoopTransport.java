package dev.frameconn;

import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * An in-memory transport for allocation measurements: reads serve the same
 * pre-encoded bytes over and over, writes are counted and discarded. Never blocks.
 */
final class LoopTransport implements Transport {
    private final ByteBuffer source;
    private final int maxRead;
    private volatile boolean open = true;
    long written;

    LoopTransport(byte[] encodedFrames, int maxRead) {
        this.source = ByteBuffer.allocateDirect(encodedFrames.length).put(encodedFrames).flip();
        this.maxRead = maxRead;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (!source.hasRemaining()) {
            source.rewind();
        }
        int n = Math.min(Math.min(dst.remaining(), source.remaining()), maxRead);
        dst.put(dst.position(), source, source.position(), n);
        dst.position(dst.position() + n);
        source.position(source.position() + n);
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        int n = src.remaining();
        src.position(src.limit());
        written += n;
        return n;
    }

    @Override
    public void shutdownOutput() {}

    @Override
    public void close() {
        open = false;
    }

    @Override
    public void abort() {
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
