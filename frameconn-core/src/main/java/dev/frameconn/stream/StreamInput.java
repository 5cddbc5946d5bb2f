package dev.frameconn.stream;

import dev.frameconn.Frame;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.internal.jfr.FrameConnEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One stream being received, as an {@link InputStream} and a
 * {@link ReadableByteChannel} at once (see {@link StreamConn#receive(int)}).
 *
 * <p>Reads return the sender's bytes in order and -1 at END. Otherwise they
 * throw, and keep throwing the same exception:
 * {@link StreamSourceException} with the sender's message,
 * {@link StreamProtocolException}, or {@link StreamBrokenException}. Not
 * thread-safe: one reader at a time. {@link #close()} releases the frame held;
 * before END it abandons the stream (the receiving direction is then broken).
 */
public final class StreamInput extends InputStream implements ReadableByteChannel {
    private final StreamConn owner;
    private final HeartbeatConn conn;
    private final int type;
    private Frame current;
    private ByteBuffer payload;
    private boolean ended;
    private boolean closed;
    private IOException failure;
    private long bytesReceived;

    StreamInput(StreamConn owner, HeartbeatConn conn, int type) {
        this.owner = owner;
        this.conn = conn;
        this.type = type;
    }

    /**
     * The data type of this stream.
     *
     * @return the data type
     */
    public int type() {
        return type;
    }

    /**
     * Data bytes handed to the reader so far.
     *
     * @return the number of bytes read
     */
    public long bytesReceived() {
        return bytesReceived;
    }

    /**
     * True once END arrived and every byte before it was read.
     *
     * @return whether the stream ended and was read to its end
     */
    public boolean isEnded() {
        return ended;
    }

    @Override
    public int read() throws IOException {
        ByteBuffer p = ready();
        if (p == null) {
            return -1;
        }
        bytesReceived++;
        return p.get() & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        ByteBuffer p = ready();
        if (p == null) {
            return -1;
        }
        int n = Math.min(len, p.remaining());
        p.get(b, off, n);
        bytesReceived += n;
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        ByteBuffer p = ready();
        if (p == null) {
            return -1;
        }
        int n = Math.min(dst.remaining(), p.remaining());
        dst.put(dst.position(), p, p.position(), n);
        dst.position(dst.position() + n);
        p.position(p.position() + n);
        bytesReceived += n;
        return n;
    }

    /** Copies the rest of the stream to {@code out}, 64 KiB at a time; see {@link InputStream#transferTo}. */
    @Override
    public long transferTo(java.io.OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        byte[] chunk = new byte[64 << 10];
        long total = 0;
        int n;
        while ((n = read(chunk, 0, chunk.length)) >= 0) {
            out.write(chunk, 0, n);
            total += n;
        }
        return total;
    }

    /**
     * Writes the rest of the stream to {@code sink}; see
     * {@link #transferTo(WritableByteChannel, StreamConn.ChunkObserver)}.
     *
     * @param sink receives the bytes; not closed
     * @return the number of bytes written
     * @throws IOException as {@link #transferTo(WritableByteChannel, StreamConn.ChunkObserver)}
     */
    public long transferTo(WritableByteChannel sink) throws IOException {
        return transferTo(sink, null);
    }

    /**
     * Writes the rest of the stream to {@code sink}, which must be in blocking
     * mode, straight from the frames' pooled buffers (no copy in between), and
     * then shows each written piece to {@code observer} (null: none) on this
     * thread. Returns at END with the number of bytes written.
     *
     * @param sink receives the bytes; not closed
     * @param observer sees each written piece, or null
     * @return the number of bytes written
     * @throws StreamException for the stream's failures, as {@link #read()} does
     * @throws IOException from {@code sink}, as it threw it: the stream is then
     *         left where it was (close it to abandon it)
     */
    public long transferTo(WritableByteChannel sink, StreamConn.ChunkObserver observer) throws IOException {
        Objects.requireNonNull(sink, "sink");
        long total = 0;
        ByteBuffer p;
        while ((p = ready()) != null) {
            int start = p.position();
            int end = p.limit();
            while (p.hasRemaining()) {
                sink.write(p);
            }
            bytesReceived += end - start;
            total += end - start;
            if (observer != null) {
                p.position(start);
                try {
                    observer.observe(p);
                } finally {
                    p.limit(end).position(end); // whatever the observer did, these bytes are consumed
                }
            }
        }
        return total;
    }

    @Override
    public int available() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        return payload == null ? 0 : payload.remaining();
    }

    /**
     * The payload with unread bytes, reading frames as needed; null at END.
     * Empty data frames are legal and skipped, by the heartbeat layer, inside
     * one wait: they are no progress for its stall clock, so however many come,
     * they cannot hold a stall off.
     */
    private ByteBuffer ready() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (payload != null && payload.hasRemaining()) {
            return payload;
        }
        if (failure != null) {
            throw failure;
        }
        if (ended) {
            return null;
        }
        try {
            while (true) {
                release();
                Frame f = next(type);
                if (f.type() == type) {
                    current = f;
                    payload = f.payload();
                    if (payload.hasRemaining()) {
                        return payload;
                    }
                } else if (f.type() == StreamConn.END) {
                    f.close();
                    ended = true;
                    owner.receiveState.end(true); // the next stream may come
                    return null;
                } else if (f.type() == StreamConn.ERROR_TRAILER) {
                    throw readTrailer(f);
                } else {
                    String t = StreamConn.typeName(f.type());
                    int length = f.length();
                    f.close();
                    throw new StreamProtocolException("received type=" + t + " length=" + length
                            + " in a stream of type=" + StreamConn.typeName(type)
                            + "; expected that type, ERROR_TRAILER or END");
                }
            }
        } catch (StreamSourceException e) {
            failure = e;
            owner.receiveState.end(true); // the trailer ended with END: the connection is fine
            throw e;
        } catch (IOException e) {
            failure = e;
            FrameConnEvents.streamReadFailed(conn.frameConn().remoteAddress(), e);
            owner.receiveState.end(false);
            throw e;
        }
    }

    /** The next frame; empty frames of {@code skipEmpty} are dropped on the way (see {@link #ready()}). */
    private Frame next(int skipEmpty) throws StreamBrokenException {
        try {
            return conn.readFrameSkippingEmpty(skipEmpty);
        } catch (InterruptedIOException e) {
            throw new StreamBrokenException("interrupted while receiving a stream", e);
        } catch (IOException e) {
            throw new StreamBrokenException("receiving a stream failed", e);
        }
    }

    /** Collects ERROR_TRAILER frames, starting with {@code first}, up to END. */
    private StreamException readTrailer(Frame first) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        Frame f = first;
        while (true) {
            try (Frame frame = f) {
                if (frame.type() == StreamConn.END) {
                    break;
                }
                if (frame.type() != StreamConn.ERROR_TRAILER) {
                    return new StreamProtocolException("received type=" + StreamConn.typeName(frame.type())
                            + " after an ERROR_TRAILER; expected ERROR_TRAILER or END");
                }
                if (message.size() + frame.length() > StreamConn.MAX_TRAILER_RECEIVE) {
                    return new StreamProtocolException("error trailer longer than maxTrailer="
                            + StreamConn.MAX_TRAILER_RECEIVE + " bytes");
                }
                message.write(frame.toByteArray());
            }
            f = next(StreamConn.ERROR_TRAILER); // empty pieces add nothing to the message
        }
        byte[] bytes = message.toByteArray();
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return new StreamSourceException(text, true, null);
        } catch (CharacterCodingException e) {
            // as zrepl: still a source error, and the trailer ended with END, so the connection is
            // clean; only the sender's message is damaged, so show it with U+FFFD for the bad bytes
            return StreamSourceException.notUtf8(new String(bytes, StandardCharsets.UTF_8), bytes.length);
        }
    }

    private void release() {
        Frame f = current;
        if (f != null) {
            current = null;
            payload = null;
            f.close();
        }
    }

    /** True until closed. */
    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Releases the frame held. Closing before END (or a failure) abandons the
     * stream: the receiving direction of the connection is broken from then on.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        release();
        if (!ended && failure == null) {
            owner.receiveState.end(false);
        }
    }

    @Override
    public String toString() {
        return "StreamInput[type=" + StreamConn.typeName(type) + ", bytesReceived=" + bytesReceived
                + (ended ? ", ended" : failure != null ? ", failed" : "") + "]";
    }
}
