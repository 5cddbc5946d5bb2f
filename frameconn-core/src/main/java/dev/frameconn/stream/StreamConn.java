package dev.frameconn.stream;

import dev.frameconn.ShutdownResult;
import dev.frameconn.heartbeat.HeartbeatConn;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * The stream layer over a {@link HeartbeatConn}, wire-compatible with zrepl's
 * {@code stream} package: an arbitrary byte stream travels as frames of one
 * application type, each payload at most {@value #MAX_CHUNK} bytes (512 KiB),
 * followed by an empty END frame.
 *
 * <pre>
 *   clean:          DATA(type)*  END
 *   source failed:  DATA(type)*  ERROR_TRAILER+ (UTF-8 message)  END
 * </pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #send(int, InputStream)} reads the source on its own thread,
 *       a few chunks ahead of the writes, so a slow source and a slow network
 *       overlap instead of adding up. Every data frame but the last is full.
 *       The chunks are direct buffers, written as frame payloads without a
 *       copy; a {@link ChunkObserver} (a digest, a progress count) runs on the
 *       reading thread, beside the writes. A connection that has sent keeps
 *       its chunks for the next sends: {@value #CHUNKS} of 512 KiB at most
 *       (as many as one send used), direct memory that the garbage collector
 *       frees with the connection object.</li>
 *   <li>{@link #receive(int, WritableByteChannel)} writes each frame payload
 *       to the sink as it is, from the pooled buffer it was read into.</li>
 *   <li>A failing source is not a failed connection: its message goes to the
 *       peer as ERROR_TRAILER frames and END, the receiver's stream throws
 *       {@link StreamSourceException} with it, and both directions can carry
 *       the next stream.</li>
 *   <li>{@link #receive(int)} returns a stream that ends (-1) at END and throws a
 *       {@link StreamException} otherwise: source error, protocol error, or
 *       broken connection, each its own type.</li>
 *   <li>One stream at a time per direction: a second {@code send} or
 *       {@code receive} while one is active is an {@link IllegalStateException}.
 *       After a stream that ended with END, the next may start. After a protocol
 *       error, a broken connection or a receive abandoned before its end, that
 *       direction stays unusable.</li>
 *   <li>With a {@link dev.frameconn.heartbeat.HeartbeatConfig#stallTimeout()},
 *       a stream whose data stops moving while the peer stays alive fails
 *       with a {@link StreamBrokenException} caused by a
 *       {@link dev.frameconn.heartbeat.StreamStalledException}. Only payload
 *       bytes are progress: a sender of empty data frames or empty
 *       ERROR_TRAILER frames, slow or fast, stalls like a silent one; one byte
 *       per frame, however slow, does not. END ends a stream; it does not
 *       restart the stall clock for the next one.</li>
 * </ul>
 */
public final class StreamConn implements AutoCloseable {
    /** ERROR_TRAILER, 1 &lt;&lt; 16: a chunk of the UTF-8 message of a failed source. */
    public static final int ERROR_TRAILER = 0x0001_0000;
    /** END, 2 &lt;&lt; 16 (bit 17): the stream is over; empty payload. */
    public static final int END = 0x0002_0000;
    /** Type bits 16..19, reserved for this layer. */
    public static final int RESERVED_TYPE_MASK = 0x000F_0000;
    /** Largest payload of a data frame: 2^19 bytes = 512 KiB, as in zrepl. */
    public static final int MAX_CHUNK = 1 << 19;
    /** Longest source error message sent, in UTF-8 bytes; longer ones are cut. */
    public static final int MAX_TRAILER_SEND = 64 << 10;
    /** Longest error trailer accepted from a peer: 1 MiB. Bounds what a peer can make us buffer. */
    public static final int MAX_TRAILER_RECEIVE = 1 << 20;
    /** Chunks read ahead of the network at most, as in zrepl (a channel of 5). */
    static final int READ_AHEAD_CHUNKS = 4;
    /** Chunk buffers per connection: the read-ahead, plus one being filled and one being written. */
    static final int CHUNKS = READ_AHEAD_CHUNKS + 2;
    /** How long a failed send waits for a source read in progress before leaving it behind: 1 s. */
    static final long SOURCE_GRACE_MILLIS = 1000;

    private final HeartbeatConn conn;
    private final DirectionState sendState = new DirectionState("sendState");
    /** The receiving direction; the stream being received ({@link StreamInput}) ends it. */
    final DirectionState receiveState = new DirectionState("receiveState");
    private final StreamSender sender;

    private StreamConn(HeartbeatConn conn) {
        this.conn = conn;
        this.sender = new StreamSender(conn, sendState);
    }

    /**
     * Puts the stream layer on {@code conn}, which it owns from now on.
     *
     * @param conn the heartbeat connection to put the stream layer on
     * @return the stream connection
     */
    public static StreamConn over(HeartbeatConn conn) {
        return new StreamConn(Objects.requireNonNull(conn, "conn"));
    }

    /**
     * True if {@code type} may carry stream data: bits 16..19 and 24..31 clear.
     *
     * @param type a frame type
     * @return whether {@code type} may carry stream data
     */
    public static boolean isApplicationType(int type) {
        return HeartbeatConn.isApplicationType(type) && (type & RESERVED_TYPE_MASK) == 0;
    }

    static String typeName(int type) {
        return switch (type) {
            case ERROR_TRAILER -> "ERROR_TRAILER";
            case END -> "END";
            case HeartbeatConn.HEARTBEAT -> "HEARTBEAT";
            default -> FrameHeader.typeToString(type);
        };
    }

    // ---------------------------------------------------------------- sending

    /**
     * Sends everything {@code source} holds, up to its end, as one stream of
     * frames of {@code type}, then END. The source is read on a separate thread
     * (made by {@link dev.frameconn.heartbeat.HeartbeatConfig#threadFactory()})
     * and is not closed. If the connection fails while that thread is blocked in
     * a read of the source, this method waits for it at most one second and then
     * leaves it to end when its read returns (close the source to hurry it).
     *
     * @param type the data type, an application type
     * @param source the bytes to send, read to its end and not closed
     * @return the number of data bytes sent
     * @throws StreamSourceException if reading the source failed; its message
     *         was sent to the peer and the stream ended with END
     * @throws StreamBrokenException if the connection failed
     * @throws IllegalArgumentException if {@code type} is not an application type
     * @throws IllegalStateException if a stream is being sent already, or an
     *         earlier one broke the sending direction
     * @throws InterruptedIOException if interrupted (the direction is then broken)
     */
    public long send(int type, InputStream source) throws IOException {
        return send(type, source, null);
    }

    /**
     * Like {@link #send(int, InputStream)}, and shows every chunk to
     * {@code observer} (null: none) before it is sent; see {@link ChunkObserver}.
     *
     * @param type the data type, an application type
     * @param source the bytes to send, read to its end and not closed
     * @param observer sees each chunk, or null
     * @return the number of data bytes sent
     * @throws IOException as {@link #send(int, InputStream)}
     */
    public long send(int type, InputStream source, ChunkObserver observer) throws IOException {
        Objects.requireNonNull(source, "source");
        return send(type, sender.fromStream(source), observer);
    }

    /**
     * Sends everything {@code source} holds as one stream; see
     * {@link #send(int, InputStream)}. The channel must be in blocking mode.
     * The bytes go from the channel's reads into direct buffers that are
     * written to the connection as they are: for a {@link java.nio.channels.FileChannel}
     * one copy into the process and one out, none in between.
     *
     * @param type the data type, an application type
     * @param source the bytes to send, read to its end and not closed
     * @return the number of data bytes sent
     * @throws IOException as {@link #send(int, InputStream)}
     */
    public long send(int type, ReadableByteChannel source) throws IOException {
        return send(type, source, null);
    }

    /**
     * Like {@link #send(int, ReadableByteChannel)}, and shows every chunk to
     * {@code observer} (null: none) before it is sent; see {@link ChunkObserver}.
     *
     * @param type the data type, an application type
     * @param source the bytes to send, read to its end and not closed
     * @param observer sees each chunk, or null
     * @return the number of data bytes sent
     * @throws IOException as {@link #send(int, InputStream)}
     */
    public long send(int type, ReadableByteChannel source, ChunkObserver observer) throws IOException {
        Objects.requireNonNull(source, "source");
        return send(type, source::read, observer);
    }

    /**
     * Sees the bytes of a stream as they pass, on the thread that handles
     * them: for a send, the thread that reads the source, once per chunk,
     * before the chunk is written (so that work such as a digest runs beside
     * the network writes, not in their path); for a receive, the receiving
     * thread, after the bytes went to the sink. The chunk's bytes are those
     * between its position and limit. The observer may consume them (move the
     * position) but must not write into the buffer nor keep it after it
     * returns: the buffer is reused. A {@link RuntimeException} from a
     * sender's observer fails the source (the chunk is not sent); from a
     * receiver's, it is thrown to the receiving caller.
     */
    @FunctionalInterface
    public interface ChunkObserver {
        /**
         * Called once per chunk, in stream order.
         *
         * @param chunk the chunk's bytes, between its position and limit
         */
        void observe(ByteBuffer chunk);
    }

    private long send(int type, SourceReader.Source source, ChunkObserver observer) throws IOException {
        claimSend(type);
        return sender.send(type, source, observer);
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Starts receiving one stream of frames of {@code type}. The returned stream
     * ends at the sender's END; read it to its end (-1) so that the direction
     * can carry the next stream. Closing it earlier abandons the stream and
     * leaves the receiving direction unusable.
     *
     * @param type the data type, an application type
     * @return the stream's input; the caller reads it to its end
     * @throws IllegalArgumentException if {@code type} is not an application type
     * @throws IllegalStateException if a stream is being received already, or
     *         an earlier one broke the receiving direction
     */
    public StreamInput receive(int type) {
        if (!isApplicationType(type)) {
            throw new IllegalArgumentException("type=" + FrameHeader.typeToString(type)
                    + " uses reserved bits 16..19 or 24..31; stream types are application types");
        }
        receiveState.claim();
        return new StreamInput(this, conn, type);
    }

    /**
     * Receives one stream of {@code type} and copies it to {@code sink}.
     *
     * @param type the data type, an application type
     * @param sink receives the bytes; not closed
     * @return the number of bytes received
     * @throws StreamException as {@link StreamInput} does
     * @throws IOException if writing to {@code sink} fails (the stream is abandoned)
     */
    public long receive(int type, java.io.OutputStream sink) throws IOException {
        Objects.requireNonNull(sink, "sink");
        try (StreamInput in = receive(type)) {
            return in.transferTo(sink);
        }
    }

    /**
     * Receives one stream of {@code type} and writes it to {@code sink}, frame
     * payload by frame payload, without copying them on the way; see
     * {@link StreamInput#transferTo(WritableByteChannel, ChunkObserver)}.
     *
     * @param type the data type, an application type
     * @param sink receives the bytes; not closed
     * @return the number of bytes received
     * @throws StreamException as {@link StreamInput} does
     * @throws IOException if writing to {@code sink} fails (the stream is abandoned)
     */
    public long receive(int type, WritableByteChannel sink) throws IOException {
        return receive(type, sink, null);
    }

    /**
     * Like {@link #receive(int, WritableByteChannel)}, and shows every chunk to
     * {@code observer} (null: none) after it was written; see {@link ChunkObserver}.
     *
     * @param type the data type, an application type
     * @param sink receives the bytes; not closed
     * @param observer sees each chunk, or null
     * @return the number of bytes received
     * @throws IOException as {@link #receive(int, WritableByteChannel)}
     */
    public long receive(int type, WritableByteChannel sink, ChunkObserver observer) throws IOException {
        Objects.requireNonNull(sink, "sink");
        try (StreamInput in = receive(type)) {
            return in.transferTo(sink, observer);
        }
    }

    /**
     * Opens the channel view of {@link #receive(int)}; the same object.
     *
     * @param type the data type, an application type
     * @return the stream's channel; the caller reads it to its end
     */
    public ReadableByteChannel receiveChannel(int type) {
        return receive(type);
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * The heartbeat connection underneath, for frames exchanged between streams.
     *
     * @return the heartbeat connection
     */
    public HeartbeatConn heartbeatConn() {
        return conn;
    }

    /**
     * Shuts the connection down; see {@link HeartbeatConn#shutdown()}.
     *
     * @return how the shutdown went
     */
    public ShutdownResult shutdown() {
        return conn.shutdown();
    }

    /** Closes the connection at once; see {@link HeartbeatConn#close()}. */
    @Override
    public void close() {
        conn.close();
    }

    @Override
    public String toString() {
        return "StreamConn[" + conn + ", send=" + sendState + ", receive=" + receiveState + "]";
    }

    // ---------------------------------------------------------------- messages

    /**
     * Sends {@code message} as one stream of {@code type}: data frames of at
     * most {@value #MAX_CHUNK} bytes, then END, then a flush; the same wire as
     * {@link #send(int, InputStream)}, written from the calling thread (zrepl's
     * {@code WriteStreamedMessage}, which its request and response headers use).
     * An empty message is END alone.
     *
     * <p>State afterwards, as in zrepl: after success the sending direction can
     * carry the next stream; after a failure of the connection it is broken.
     *
     * @param type the data type, an application type
     * @param message the whole message
     * @throws StreamBrokenException if the connection failed (the sending
     *         direction is then broken)
     * @throws IllegalArgumentException if {@code type} is not an application type
     * @throws IllegalStateException if a stream is being sent already, or an
     *         earlier one broke the sending direction
     */
    public void sendMessage(int type, byte[] message) throws IOException {
        StreamMessages.send(this, conn, type, message);
    }

    /**
     * Receives one stream of {@code type} whole, at most {@code maxBytes} data
     * bytes (zrepl's {@code ReadStreamedMessage}). A message of exactly
     * {@code maxBytes} is accepted. Nothing of a failed message is returned.
     *
     * <p>State of the receiving direction afterwards, as zrepl's
     * {@code isConnCleanAfterRead} decides it:
     * <ul>
     *   <li>the message ended with END: usable for the next stream;</li>
     *   <li>{@link StreamSourceException} (the sender's error trailer, valid
     *       UTF-8 or not): the trailer ended with END, so usable;</li>
     *   <li>{@link MessageTooLongException}: broken. The bytes past the bound
     *       are not read or drained, so the next frame is not the start of a
     *       stream. (zrepl stops reading at the bound too, and its read never
     *       returns; here it fails at once instead.)</li>
     *   <li>{@link StreamProtocolException}, {@link StreamBrokenException}
     *       (connection failure, interrupt): broken.</li>
     * </ul>
     *
     * @param type the data type, an application type
     * @param maxBytes most data bytes accepted
     * @return the message
     * @throws IllegalArgumentException if {@code type} is not an application
     *         type, or {@code maxBytes} is negative or beyond
     *         {@code Integer.MAX_VALUE - 8}
     * @throws IllegalStateException if a stream is being received already, or
     *         an earlier one broke the receiving direction
     * @throws IOException for the failures listed above
     */
    public byte[] receiveMessage(int type, int maxBytes) throws IOException {
        return StreamMessages.receive(this, type, maxBytes);
    }

    /** Claims the sending direction for a stream or a message: one at a time, never after a break. */
    void claimSend(int type) {
        if (!isApplicationType(type)) {
            throw new IllegalArgumentException("type=" + FrameHeader.typeToString(type)
                    + " uses reserved bits 16..19 or 24..31; stream types are application types");
        }
        sendState.claim();
    }

    /** Releases the sending direction after a message: usable again only if it was all written. */
    void endMessageSend(boolean clean) {
        sendState.end(clean);
    }
}
