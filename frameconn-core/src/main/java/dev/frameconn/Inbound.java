package dev.frameconn;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.internal.Deadlines;
import dev.frameconn.internal.Locks;
import dev.frameconn.internal.jfr.FrameConnEvents;
import dev.frameconn.metrics.FrameConnMetrics;
import dev.frameconn.transport.Transport;
import dev.frameconn.wire.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The read side of a connection: whole frames out of the byte stream, one
 * reader at a time.
 *
 * <p>Headers and small payloads are read ahead into the read buffer; the rest
 * of a payload of half the buffer or more is read straight into the payload,
 * together with whatever follows it, by one scattering read. A frame is handed
 * out as soon as its last byte arrived: no read waits for bytes of a later
 * frame.
 *
 * <p><b>No pooled memory while idle.</b> A reader with nothing buffered waits
 * in a heap probe of its own ({@link #PROBE_SIZE} bytes), after spinning first
 * if {@link FrameConnConfig#readSpin()} says so. A small frame that arrives whole
 * never touches the pool; otherwise the bytes move into a pooled read buffer,
 * given back as soon as a frame ends with nothing buffered behind it:
 * <pre>
 *   buf = probe (empty) --bytes arrive--&gt; probe --frame needs more--&gt; pooled
 *   pooled --frame complete, nothing buffered--&gt; released, buf = probe
 * </pre> A header announcing more than {@code maxPayloadLength} fails before
 * anything is allocated for it. The peer's RST ends reading: its reason is
 * taken from the first bytes, the rest skipped without buffering it.
 *
 * <p>Every read call counts against a {@link CarrierQuota}: a virtual reader whose
 * socket always has data yields its carrier now and then (it is never preempted).
 * After a failure the read side is broken: later reads throw
 * {@link ConnectionBrokenException} with the first failure as cause; after a clean
 * end of stream reads keep throwing {@link EndOfStreamException}.
 */
final class Inbound {
    /** Bytes of the heap buffer the idle wait reads into: the header and a small payload. */
    static final int PROBE_SIZE = 256;

    private final Transport wire;
    private final BufferPool pool;
    private final FrameConnMetrics metrics;
    private final Deadlines deadlines;
    private final ErrorTranslator errors;
    private final Lifecycle lifecycle;
    private final Outbound outbound;
    private final int readBufferSize;
    private final int maxPayloadLength;
    private final int directReadThreshold;
    private final boolean reuseFrames;
    /** Null unless {@link FrameConnConfig#readSpin()} is on. */
    private final ReadSpin spin;
    /** Every read call counts against it: a reader whose socket always has data still lets others run. */
    private final CarrierQuota quota = new CarrierQuota();

    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicReference<Frame> spareFrame = new AtomicReference<>();

    // guarded by lock; buf holds the unread bytes between position and limit, and is either
    // the probe or the pooled buffer (then non-null)
    private final ByteBuffer probe = ByteBuffer.allocate(PROBE_SIZE).limit(0);
    private ByteBuffer buf = probe;
    private ByteBuffer pooled;
    private volatile IOException failure; // volatile: shutdown reads it before taking the lock
    private boolean endOfStream;

    Inbound(Transport wire, FrameConnConfig config, Deadlines deadlines, ErrorTranslator errors,
            Lifecycle lifecycle, Outbound outbound) {
        this.wire = wire;
        this.pool = config.bufferPool();
        this.metrics = config.metrics();
        this.deadlines = deadlines;
        this.errors = errors;
        this.lifecycle = lifecycle;
        this.outbound = outbound;
        this.readBufferSize = config.readBufferSize();
        this.maxPayloadLength = config.maxPayloadLength();
        this.directReadThreshold = readBufferSize / 2;
        this.reuseFrames = config.reuseFrames();
        long spinNanos = config.readSpin().toNanos();
        this.spin = spinNanos > 0 ? new ReadSpin(spinNanos, config.ticker()) : null;
    }

    /** {@link FrameConn#readFrame()}: its Javadoc says what this throws. */
    Frame read() throws IOException {
        if (lifecycle.isShuttingDown()) {
            throw lifecycle.shuttingDown();
        }
        Locks.lockInterruptibly(lock);
        try {
            if (lifecycle.isShuttingDown()) {
                throw lifecycle.shuttingDown();
            }
            if (failure != null) {
                throw new ConnectionBrokenException("read", failure);
            }
            if (endOfStream) {
                throw new EndOfStreamException();
            }
            try {
                Frame frame = readLocked();
                if (!buf.hasRemaining()) {
                    releasePooled(); // the frame is complete and nothing of the next one is here
                }
                return frame;
            } catch (EndOfStreamException e) {
                endOfStream = true;
                throw e;
            } catch (ConnectionShutdownException e) {
                throw e;
            } catch (IOException e) {
                failure = e;
                if (e instanceof FrameTooLargeException || e instanceof FrameProtocolException) {
                    // the stream is not trustworthy: nothing more is read, not even by the shutdown drain
                    releasePooled();
                }
                FrameConnEvents.readFailed(wire.remoteAddress(), e);
                throw e;
            }
        } finally {
            boolean wasClosed = lifecycle.isClosed();
            if (wasClosed) {
                releasePooled();
            }
            lock.unlock();
            if (!wasClosed && lifecycle.isClosed()) {
                // close() came between our look and our unlock, and found the lock taken
                releaseIfIdle();
            }
        }
    }

    /** The failure that broke the read side, or null. */
    IOException failure() {
        return failure;
    }

    private Frame readLocked() throws IOException {
        if (!buf.hasRemaining() && !awaitBytes()) {
            throw new EndOfStreamException();
        }
        if (buf.remaining() < FrameHeader.LENGTH && !fill(FrameHeader.LENGTH)) {
            throw new TruncatedFrameException("header", buf.remaining(), FrameHeader.LENGTH);
        }
        ByteBuffer buf = this.buf;
        int at = buf.position();
        int type = FrameHeader.type(buf, at);
        long length = FrameHeader.payloadLength(buf, at);
        buf.position(at + FrameHeader.LENGTH);
        if (!FrameHeader.isApplicationType(type)) {
            throw reservedTypeReceived(type, length);
        }
        if (length > maxPayloadLength) {
            throw new FrameTooLargeException(type, length, maxPayloadLength);
        }
        int len = (int) length;
        ByteBuffer payload = pool.acquire(len);
        boolean delivered = false;
        try {
            readPayload(payload);
            delivered = true;
        } finally {
            if (!delivered) {
                pool.release(payload);
            }
        }
        metrics.frameRead(type, len);
        outbound.noteRead();
        if (!reuseFrames) {
            return new Frame(pool, null).fill(type, payload);
        }
        Frame frame = spareFrame.getAndSet(null);
        if (frame == null) {
            frame = new Frame(pool, spareFrame);
        }
        return frame.fill(type, payload);
    }

    /** Fills {@code payload} (position 0, limit = length) and flips it for the reader. */
    private void readPayload(ByteBuffer payload) throws IOException {
        ByteBuffer buf = this.buf;
        int len = payload.limit();
        int buffered = Math.min(buf.remaining(), len);
        if (buffered > 0) {
            payload.put(0, buf, buf.position(), buffered);
            buf.position(buf.position() + buffered);
            payload.position(buffered);
        }
        // buf is empty now whenever payload still misses bytes
        if (payload.hasRemaining()) {
            buf = roomy();
        }
        while (payload.hasRemaining()) {
            int missing = payload.remaining();
            if (missing >= directReadThreshold) {
                // large remainder: straight into the payload, and whatever follows it (the next
                // header, say) into the read buffer, in one call that never waits for more
                buf.clear();
                long n = readSome(payload, buf);
                buf.flip();
                if (n < 0) {
                    throw new TruncatedFrameException("payload", payload.position(), len);
                }
            } else {
                buf.clear();
                int n = readSome(buf);
                buf.flip();
                if (n < 0) {
                    throw new TruncatedFrameException("payload", payload.position(), len);
                }
                int take = Math.min(buf.remaining(), missing);
                payload.put(payload.position(), buf, buf.position(), take);
                payload.position(payload.position() + take);
                buf.position(buf.position() + take);
            }
        }
        payload.flip();
    }

    private IOException reservedTypeReceived(int type, long length) throws IOException {
        if (type != FrameHeader.RST) {
            return new FrameProtocolException("received type=" + FrameHeader.typeToString(type)
                    + " length=" + length + ": bits 28..31 are reserved and only RST="
                    + FrameHeader.typeToString(FrameHeader.RST) + " is defined");
        }
        // a reason, if any, is in the first bytes; the rest is skipped without buffering it
        if (length > maxPayloadLength) {
            return new FrameTooLargeException(type, length, maxPayloadLength);
        }
        int head = (int) Math.min(length, ShutdownReason.MAX_PAYLOAD);
        if (!fill(head)) {
            throw new TruncatedFrameException("payload", buf.remaining(), length);
        }
        ShutdownReason reason = ShutdownReason.decode(buf, buf.position(), head);
        buf.position(buf.position() + head);
        skip(length - head, head, length);
        return lifecycle.peerSentRst(reason);
    }

    /** Discards {@code length} bytes, the rest of a payload of {@code total} of which {@code done} were read. */
    private void skip(long length, long done, long total) throws IOException {
        long left = length;
        while (left > 0) {
            if (!buf.hasRemaining()) {
                ByteBuffer buf = roomy();
                buf.clear();
                int n = readSome(buf);
                buf.flip();
                if (n < 0) {
                    throw new TruncatedFrameException("payload", done + length - left, total);
                }
            }
            int take = (int) Math.min(left, buf.remaining());
            buf.position(buf.position() + take);
            left -= take;
        }
    }

    /** Reads until {@code buf} holds {@code needed} unread bytes; false at end of stream. */
    private boolean fill(int needed) throws IOException {
        while (buf.remaining() < needed) {
            ByteBuffer buf = roomy();
            buf.compact();
            int n;
            try {
                n = readSome(buf);
            } finally {
                buf.flip();
            }
            if (n < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * One read call under the idle timeout: at least one byte, or -1. Counted
     * against the quota after the timeout ends (waiting for a carrier is not
     * an idle peer).
     */
    private int readSome(ByteBuffer dst) throws IOException {
        int n;
        deadlines.beginRead();
        try {
            do {
                n = wire.read(dst);
            } while (n == 0);
        } catch (IOException e) {
            throw errors.translate(e);
        } finally {
            deadlines.endRead();
        }
        quota.spend(n);
        return n;
    }

    /** One scattering read call under the idle timeout, counted like {@link #readSome(ByteBuffer)}. */
    private long readSome(ByteBuffer first, ByteBuffer second) throws IOException {
        long n;
        deadlines.beginRead();
        try {
            do {
                n = wire.read(first, second);
            } while (n == 0);
        } catch (IOException e) {
            throw errors.translate(e);
        } finally {
            deadlines.endRead();
        }
        quota.spend(n);
        return n;
    }

    /**
     * Nothing is buffered: waits for bytes in the probe, holding no pooled
     * buffer, after spinning for them first if that is on. False at end of stream.
     */
    private boolean awaitBytes() throws IOException {
        releasePooled();
        if (spin != null) {
            spin();
        }
        probe.clear();
        int n;
        try {
            n = readSome(probe);
        } finally {
            probe.flip();
        }
        buf = probe;
        return n >= 0;
    }

    /** Polls for bytes before the blocking read ({@link ReadSpin} says for how long). */
    private void spin() throws IOException {
        try {
            spin.await(wire);
        } catch (IOException e) {
            throw errors.translate(e);
        }
    }

    /** The buffer to read more into: the pooled one, taken now if the bytes are in the probe. */
    private ByteBuffer roomy() {
        if (buf == probe) {
            ByteBuffer b = pool.acquire(readBufferSize);
            b.clear();
            b.put(probe); // the probe's unread bytes, if any
            b.flip();
            probe.clear().limit(0);
            pooled = b;
            buf = b;
        }
        return buf;
    }

    /** Gives the pooled buffer back; what it held unread is dropped (there is nothing, or the side is done). */
    private void releasePooled() {
        ByteBuffer b = pooled;
        if (b != null) {
            pooled = null;
            buf = probe.clear().limit(0);
            pool.release(b);
        }
    }

    /**
     * Gives the read buffer back once closed, unless a reader is inside: that
     * reader holds the lock and gives it back itself on the way out, as it sees
     * the connection closed (which the caller has marked before calling this).
     */
    void releaseIfIdle() {
        if (lock.tryLock()) {
            try {
                releasePooled();
            } finally {
                lock.unlock();
            }
        }
    }

    /** What the shutdown drain did. */
    record Drained(long bytes, long nanos, boolean sawRst, IOException error) {}

    /**
     * The shutdown drain: under the read lock (waiting for a reader inside,
     * whom the shutdown deadline bounds), discards what was read ahead and
     * what arrives until the peer's end of stream, more than {@code limit}
     * bytes, or an error (the deadline's abort, say). Follows frame boundaries
     * while it can, to tell whether the peer answered with RST. Gives the read
     * buffer back.
     */
    Drained drain(long limit) {
        lock.lock();
        try {
            long start = deadlines.now();
            long drained = 0;
            IOException error = null;
            // frame boundaries can be followed only if the read side is intact (at a boundary)
            RstScanner scanner = failure == null && !endOfStream ? new RstScanner() : null;
            ByteBuffer buf = this.buf;
            drained += buf.remaining(); // read ahead earlier, discarded now
            if (scanner != null) {
                scanner.scan(buf, buf.position(), buf.limit());
            }
            buf.position(buf.limit());
            buf = roomy();
            try {
                while (true) {
                    buf.clear();
                    int n = readSome(buf);
                    if (n < 0) {
                        break;
                    }
                    if (scanner != null) {
                        scanner.scan(buf, 0, n);
                    }
                    drained += n;
                    if (drained > limit) {
                        error = new IOException("frameconn: shutdown drain stopped at drainLimit=" + limit
                                + " bytes; the peer kept sending");
                        break;
                    }
                }
            } catch (IOException e) {
                error = e;
            } finally {
                buf.clear().limit(0);
            }
            return new Drained(drained, deadlines.now() - start, scanner != null && scanner.sawRst(), error);
        } finally {
            releasePooled();
            lock.unlock();
        }
    }
}
