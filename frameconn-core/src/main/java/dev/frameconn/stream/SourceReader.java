package dev.frameconn.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a send's source into direct 512 KiB chunks, at most
 * {@link StreamConn#READ_AHEAD_CHUNKS} ahead of the writer, and hands them over
 * filled, so that every frame but the last is full. The chunks belong to the
 * {@link StreamConn} and serve its next sends too (allocated on first use,
 * {@link StreamConn#CHUNKS} at most): the queues carry the same buffer objects
 * round and round, so nothing is allocated per chunk. A reader left behind by
 * a failed send keeps the chunks it holds, but that direction never sends
 * again.
 */
final class SourceReader implements Runnable {
    /** One read from the source into {@code dst}: bytes read, or -1 at its end. */
    @FunctionalInterface
    interface Source {
        int read(ByteBuffer dst) throws IOException;
    }

    /** Handed over after the last chunk: the end, or the failure in {@link #error}. */
    static final ByteBuffer DONE = ByteBuffer.allocate(0);
    private static final ByteBuffer POISON = ByteBuffer.allocate(0);
    final BlockingQueue<ByteBuffer> filled = new ArrayBlockingQueue<>(StreamConn.CHUNKS + 1);
    final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(StreamConn.CHUNKS + 1);
    /** The source's failure, set before {@link #DONE} is queued; null at a clean end. */
    volatile Throwable error;
    private final Source source;
    private final StreamConn.ChunkObserver observer;
    private final ByteBuffer[] chunks;
    private int used;
    private volatile boolean stopped;

    SourceReader(Source source, StreamConn.ChunkObserver observer, ByteBuffer[] chunks) {
        this.source = source;
        this.observer = observer;
        this.chunks = chunks;
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                ByteBuffer buf = free.poll();
                if (buf == null) {
                    if (used < chunks.length) {
                        buf = chunks[used];
                        if (buf == null) {
                            buf = ByteBuffer.allocateDirect(StreamConn.MAX_CHUNK);
                            chunks[used] = buf;
                        }
                        used++;
                    } else {
                        buf = free.take();
                    }
                }
                if (isPoison(buf) || stopped) {
                    return;
                }
                buf.clear();
                boolean end = false;
                Throwable failure = null;
                try {
                    while (buf.hasRemaining()) {
                        if (source.read(buf) < 0) {
                            end = true;
                            break;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    failure = e;
                }
                buf.flip();
                int n = buf.limit();
                if (n > 0 && observer != null) {
                    try {
                        observer.observe(buf);
                    } catch (RuntimeException e) {
                        failure = e; // the observer did not see this chunk whole: it is not sent
                        n = 0;
                    }
                    buf.limit(n).position(0);
                }
                if (n > 0) {
                    filled.put(buf); // what was read before a failure still goes out
                }
                if (failure != null) {
                    error = failure;
                    filled.put(DONE);
                    return;
                }
                if (end) {
                    filled.put(DONE);
                    return;
                }
            }
        } catch (InterruptedException e) {
            // nobody interrupts us; end quietly if someone does
        }
    }

    /** Makes the reader end: wakes it if it waits for a buffer or for room. */
    void stop() {
        stopped = true;
        filled.clear();
        free.offer(POISON);
    }

    /** True if {@code chunk} is the {@link #DONE} sentinel. */
    // identity: the sentinels are empty buffers, and ByteBuffer.equals would call
    // any chunk with nothing left equal to them
    @SuppressWarnings("ReferenceEquality")
    static boolean isDone(ByteBuffer chunk) {
        return chunk == DONE;
    }

    // identity, as in isDone
    @SuppressWarnings("ReferenceEquality")
    private static boolean isPoison(ByteBuffer chunk) {
        return chunk == POISON;
    }
}
