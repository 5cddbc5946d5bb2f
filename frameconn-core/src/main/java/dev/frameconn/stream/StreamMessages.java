package dev.frameconn.stream;

import dev.frameconn.heartbeat.HeartbeatConn;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The message API of {@link StreamConn} (zrepl's {@code WriteStreamedMessage}
 * and {@code ReadStreamedMessage}): a message is an ordinary stream, read
 * whole into memory up to a bound. Kept apart so that the stream data path in
 * {@link StreamConn} stays small.
 */
final class StreamMessages {
    /** Largest bound a message may have: the largest array the JVM reliably allocates. */
    static final int MAX_BOUND = Integer.MAX_VALUE - 8;
    /** First buffer of a receive; it doubles up to the bound, so a large bound costs nothing until used. */
    private static final int FIRST_BUFFER = 8 << 10;

    private StreamMessages() {
    }

    /** Data frames of {@code type}, full but the last, then END and a flush: the wire of a stream. */
    static void send(StreamConn owner, HeartbeatConn conn, int type, byte[] message) throws IOException {
        Objects.requireNonNull(message, "message");
        owner.claimSend(type);
        boolean clean = false;
        try {
            for (int at = 0; at < message.length; at += StreamConn.MAX_CHUNK) {
                conn.writeFrame(type, ByteBuffer.wrap(message, at, Math.min(StreamConn.MAX_CHUNK, message.length - at)));
            }
            conn.writeEmptyFrame(StreamConn.END);
            conn.flush();
            clean = true;
        } catch (InterruptedIOException e) {
            throw new StreamBrokenException("interrupted while sending a message", e);
        } catch (IOException e) {
            throw new StreamBrokenException("sending a message failed", e);
        } finally {
            // as zrepl (isConnCleanAfterWrite): only a write that completed leaves the direction clean
            owner.endMessageSend(clean);
        }
    }

    /**
     * Reads one stream of {@code type} whole. Reads at most {@code maxBytes}
     * data bytes and then only far enough to see whether END follows; the
     * stream's own {@link StreamInput} sets the direction's state for every
     * outcome, and closing it before END (the too-long case) breaks it.
     */
    static byte[] receive(StreamConn owner, int type, int maxBytes) throws IOException {
        if (maxBytes < 0 || maxBytes > MAX_BOUND) {
            throw new IllegalArgumentException("maxBytes=" + maxBytes + " must be in 0.." + MAX_BOUND);
        }
        try (StreamInput in = owner.receive(type)) {
            byte[] buf = new byte[Math.min(maxBytes, FIRST_BUFFER)];
            int n = 0;
            while (true) {
                if (n == buf.length) {
                    if (n == maxBytes) {
                        // at the bound: the message fits only if END comes next
                        if (in.read() < 0) {
                            return buf;
                        }
                        throw new MessageTooLongException(type, maxBytes);
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(maxBytes, 2L * buf.length));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    return n == buf.length ? buf : Arrays.copyOf(buf, n);
                }
                n += r;
            }
        }
    }
}
