package dev.frameconn.stream;

import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.internal.Utf8;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The sending job of a {@link StreamConn}: one stream from a source, read
 * ahead on its own thread ({@link SourceReader}) and written as data frames,
 * then END, or an error trailer and END if the source failed. Owns the
 * connection's chunk buffers, which its next sends reuse.
 */
final class StreamSender {
    private final HeartbeatConn conn;
    private final DirectionState state;
    /**
     * The send chunks, direct, made on first use and kept for the next sends.
     * Used by one send's reader thread at a time: a send starts only after the
     * previous one's reader was joined, or never again if it was left behind.
     */
    private final ByteBuffer[] chunks = new ByteBuffer[StreamConn.CHUNKS];
    /** For {@link InputStream} sources: the array they read into; same rule as {@link #chunks}. */
    private byte[] heapScratch;

    StreamSender(HeartbeatConn conn, DirectionState state) {
        this.conn = conn;
        this.state = state;
    }

    /** An {@link InputStream} read through one reused heap array, copied into the direct chunk. */
    SourceReader.Source fromStream(InputStream in) {
        return dst -> {
            byte[] scratch = heapScratch;
            if (scratch == null) {
                scratch = new byte[StreamConn.MAX_CHUNK];
                heapScratch = scratch; // by the reader thread; the next send's reader sees it after a join
            }
            int n = in.read(scratch, 0, Math.min(scratch.length, dst.remaining()));
            if (n > 0) {
                dst.put(scratch, 0, n);
            }
            return n;
        };
    }

    /** Sends one stream; the sending direction was claimed, and is released or broken here. */
    long send(int type, SourceReader.Source source, StreamConn.ChunkObserver observer) throws IOException {
        SourceReader reader = new SourceReader(source, observer, chunks);
        Thread thread;
        try {
            // the connection's thread factory: whoever watches the connection's threads sees this one too
            thread = Objects.requireNonNull(conn.config().threadFactory().newThread(reader),
                    "threadFactory returned null");
            thread.start();
        } catch (RuntimeException | Error e) {
            state.end(true); // nothing was written: the direction is as it was
            throw e;
        }
        boolean done = false;
        try {
            long bytes = pump(type, reader);
            done = true;
            return bytes;
        } catch (StreamSourceException e) {
            done = true;
            throw e;
        } finally {
            reader.stop();
            if (done) {
                joinQuietly(thread, 0); // the reader already ended: EOF or error
                state.end(true);
            } else {
                // a source read in progress cannot be cut short; give it a moment, then leave it
                joinQuietly(thread, StreamConn.SOURCE_GRACE_MILLIS);
                state.end(false);
            }
        }
    }

    private long pump(int type, SourceReader reader) throws IOException {
        long bytes = 0;
        while (true) {
            ByteBuffer c;
            try {
                c = reader.filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending a stream");
            }
            if (!SourceReader.isDone(c)) {
                int n = c.remaining();
                write(type, c); // a direct buffer: gathered behind the header, not copied
                bytes += n;
                reader.free.add(c); // never full: room for every chunk and the poison
            } else if (reader.error == null) {
                writeEnd();
                return bytes;
            } else {
                Throwable error = reader.error;
                String message = describe(error);
                byte[] utf8 = trailerBytes(message);
                for (int at = 0; at < utf8.length; at += StreamConn.MAX_CHUNK) {
                    write(StreamConn.ERROR_TRAILER,
                            ByteBuffer.wrap(utf8, at, Math.min(StreamConn.MAX_CHUNK, utf8.length - at)));
                }
                writeEnd();
                throw new StreamSourceException(message, false, error);
            }
        }
    }

    private void write(int type, ByteBuffer payload) throws StreamBrokenException {
        try {
            conn.writeFrame(type, payload);
        } catch (InterruptedIOException e) {
            throw new StreamBrokenException("interrupted while sending a stream", e);
        } catch (IOException e) {
            throw new StreamBrokenException("sending a stream failed", e);
        }
    }

    /** END, then a flush: when a send returns, the whole stream has been handed to the operating system. */
    private void writeEnd() throws StreamBrokenException {
        write(StreamConn.END, ByteBuffer.allocate(0));
        try {
            conn.flush();
        } catch (IOException e) {
            throw new StreamBrokenException("sending a stream failed", e);
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            // an empty trailer would be no trailer at all: END alone reads as success
            return e.getClass().getName();
        }
        return m;
    }

    /** The message in UTF-8, cut at a character boundary to {@link StreamConn#MAX_TRAILER_SEND} bytes. */
    static byte[] trailerBytes(String message) {
        return Utf8.encode(message, StreamConn.MAX_TRAILER_SEND);
    }

    private static void joinQuietly(Thread t, long millis) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (t.isAlive()) {
            try {
                if (millis == 0) {
                    t.join();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    t.join(Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
