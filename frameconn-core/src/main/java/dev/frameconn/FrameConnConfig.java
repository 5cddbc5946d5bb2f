package dev.frameconn;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.metrics.FrameConnMetrics;
import dev.frameconn.time.Ticker;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * The immutable settings of a connection. Start from {@link #defaults()} and
 * change what you need with the {@code with…} methods; every value is checked
 * when the record is made, so an invalid configuration never reaches a socket.
 *
 * @param maxPayloadLength longest payload a peer may announce; a longer one
 *        fails the read with {@link FrameTooLargeException} before anything is
 *        allocated. Default 16 MiB: zrepl's largest frame is 8 MiB.
 * @param idleTimeout a read or write that makes no progress for this long fails
 *        with {@link FrameTimeoutException}; {@link Duration#ZERO} switches it off.
 *        Default 60 s. Progress is measured per system call, and writes are
 *        issued in calls of at most 1 MiB, so only a peer slower than 1 MiB
 *        per idle timeout can be mistaken for a dead one.
 * @param shutdownTimeout how long {@link FrameConn#shutdown()} may take. Default 10 s.
 * @param drainLimit bytes the shutdown drain discards at most before it gives up
 *        and closes abortively; bounds what a peer that keeps sending can cost.
 *        Default 256 MiB: a well-behaved peer keeps sending until its reader
 *        reaches our RST, which on a fast link can be tens of MiB.
 * @param connectTimeout how long {@link FrameConn#connect} waits for TCP's
 *        handshake. Default 10 s.
 * @param readBufferSize bytes read ahead at once for headers and small payloads;
 *        payloads of half this size or more are read straight into their own
 *        buffer. Default 16 KiB.
 * @param bufferPool where payload and I/O buffers come from. Default {@link BufferPool#shared()}.
 * @param metrics where the connection reports. Default {@link FrameConnMetrics#NOOP}.
 * @param ticker the clock of every timeout. Default {@link Ticker#system()}.
 * @param reuseFrames whether a closed {@link Frame} object is handed out again
 *        by the next read, so that reading allocates nothing per frame.
 *        Default false. With it on, a frame must not be touched after its
 *        {@code close()}, not even closed again: a second close after the next
 *        read would close that read's frame. Off, a second close is harmless.
 *        Frames are never reused while the {@link LeakDetector} is on.
 * @param socketBufferSize for TCP sockets that {@link FrameConn#connect} and
 *        {@link FrameServer} open: SO_SNDBUF and SO_RCVBUF in bytes, set before
 *        the handshake so that the receive window can use it; 0 (the default)
 *        leaves the sizes to the operating system, which on Linux grows them
 *        with the traffic (autotuning: best for one connection and for long
 *        distances). A fixed size shares a host's bandwidth more evenly among
 *        many busy connections (see the README's Performance section) but
 *        caps each connection's window. The kernel may round or double the
 *        value. Channels handed to {@link FrameConn#wrap} are left as they are.
 * @param readSpin how long a reader that finds no bytes waiting polls for them
 *        before it parks in a blocking read; {@link Duration#ZERO} (the default)
 *        parks at once. See {@link #withReadSpin(Duration)} for what it costs.
 */
public record FrameConnConfig(
        int maxPayloadLength,
        Duration idleTimeout,
        Duration shutdownTimeout,
        long drainLimit,
        Duration connectTimeout,
        int readBufferSize,
        BufferPool bufferPool,
        FrameConnMetrics metrics,
        Ticker ticker,
        boolean reuseFrames,
        int socketBufferSize,
        Duration readSpin) {
    /**
     * The longest duration any setting of frameconn accepts (timeouts, intervals,
     * spin budgets, here and in the heartbeat layer and the CLI): 36,500 days,
     * about 100 years, so that nanosecond deadline arithmetic cannot overflow.
     */
    public static final Duration MAX_DURATION = Duration.ofDays(36_500);


    /** Default {@link #maxPayloadLength()}: 16 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_LENGTH = 16 << 20;
    /** Default {@link #idleTimeout()}: 60 s. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Default {@link #shutdownTimeout()}: 10 s. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #drainLimit()}: 256 MiB. */
    public static final long DEFAULT_DRAIN_LIMIT = 256L << 20;
    /** Default {@link #connectTimeout()}: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #readBufferSize()}: 16 KiB. */
    public static final int DEFAULT_READ_BUFFER_SIZE = 16 << 10;

    private static final FrameConnConfig DEFAULTS = new FrameConnConfig(
            DEFAULT_MAX_PAYLOAD_LENGTH, DEFAULT_IDLE_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_DRAIN_LIMIT,
            DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_BUFFER_SIZE, BufferPool.shared(), FrameConnMetrics.NOOP,
            Ticker.system(), false, 0, Duration.ZERO);

    /** Checks every value; messages say {@code name=value}. */
    public FrameConnConfig {
        if (maxPayloadLength < 0) {
            throw new IllegalArgumentException("maxPayloadLength=" + maxPayloadLength + " must be >= 0");
        }
        requireNonNegative("idleTimeout", idleTimeout);
        requireNonNegative("shutdownTimeout", shutdownTimeout);
        requireNonNegative("connectTimeout", connectTimeout);
        if (drainLimit < 0) {
            throw new IllegalArgumentException("drainLimit=" + drainLimit + " must be >= 0");
        }
        if (readBufferSize < 512 || readBufferSize > (1 << 24)) {
            // 512: an RST with the longest reason must fit in it
            throw new IllegalArgumentException("readBufferSize=" + readBufferSize + " must be in 512..16777216");
        }
        Objects.requireNonNull(bufferPool, "bufferPool");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(ticker, "ticker");
        if (socketBufferSize < 0) {
            throw new IllegalArgumentException("socketBufferSize=" + socketBufferSize + " must be >= 0");
        }
        requireNonNegative("readSpin", readSpin);
    }

    /**
     * The configuration as it was before {@link #readSpin()} existed: the same
     * values with the spin off.
     *
     * @param maxPayloadLength see {@link #maxPayloadLength()}
     * @param idleTimeout see {@link #idleTimeout()}
     * @param shutdownTimeout see {@link #shutdownTimeout()}
     * @param drainLimit see {@link #drainLimit()}
     * @param connectTimeout see {@link #connectTimeout()}
     * @param readBufferSize see {@link #readBufferSize()}
     * @param bufferPool see {@link #bufferPool()}
     * @param metrics see {@link #metrics()}
     * @param ticker see {@link #ticker()}
     * @param reuseFrames see {@link #reuseFrames()}
     * @param socketBufferSize see {@link #socketBufferSize()}
     */
    public FrameConnConfig(int maxPayloadLength, Duration idleTimeout, Duration shutdownTimeout, long drainLimit,
            Duration connectTimeout, int readBufferSize, BufferPool bufferPool, FrameConnMetrics metrics,
            Ticker ticker, boolean reuseFrames, int socketBufferSize) {
        this(maxPayloadLength, idleTimeout, shutdownTimeout, drainLimit, connectTimeout, readBufferSize, bufferPool,
                metrics, ticker, reuseFrames, socketBufferSize, Duration.ZERO);
    }

    private static void requireNonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + "=" + value + " must not be negative");
        }
        if (value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + "=" + value + " must be at most " + MAX_DURATION.toDays() + " days");
        }
    }

    /**
     * The defaults listed on this record.
     *
     * @return the default configuration
     */
    public static FrameConnConfig defaults() {
        return DEFAULTS;
    }

    /**
     * A copy with another {@link #maxPayloadLength()}.
     *
     * @param value the new maximum payload length
     * @return the copy
     */
    public FrameConnConfig withMaxPayloadLength(int value) {
        Draft draft = new Draft(this);
        draft.maxPayloadLength = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #idleTimeout()}; zero switches idle timeouts off.
     *
     * @param value the new idle timeout
     * @return the copy
     */
    public FrameConnConfig withIdleTimeout(Duration value) {
        Draft draft = new Draft(this);
        draft.idleTimeout = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #shutdownTimeout()}.
     *
     * @param value the new shutdown timeout
     * @return the copy
     */
    public FrameConnConfig withShutdownTimeout(Duration value) {
        Draft draft = new Draft(this);
        draft.shutdownTimeout = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #drainLimit()}.
     *
     * @param value the new drain limit
     * @return the copy
     */
    public FrameConnConfig withDrainLimit(long value) {
        Draft draft = new Draft(this);
        draft.drainLimit = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #connectTimeout()}.
     *
     * @param value the new connect timeout
     * @return the copy
     */
    public FrameConnConfig withConnectTimeout(Duration value) {
        Draft draft = new Draft(this);
        draft.connectTimeout = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #readBufferSize()}.
     *
     * @param value the new read buffer size
     * @return the copy
     */
    public FrameConnConfig withReadBufferSize(int value) {
        Draft draft = new Draft(this);
        draft.readBufferSize = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #bufferPool()}.
     *
     * @param value the new buffer pool
     * @return the copy
     */
    public FrameConnConfig withBufferPool(BufferPool value) {
        Draft draft = new Draft(this);
        draft.bufferPool = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #metrics()}.
     *
     * @param value the new metrics sink
     * @return the copy
     */
    public FrameConnConfig withMetrics(FrameConnMetrics value) {
        Draft draft = new Draft(this);
        draft.metrics = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #ticker()}.
     *
     * @param value the new clock
     * @return the copy
     */
    public FrameConnConfig withTicker(Ticker value) {
        Draft draft = new Draft(this);
        draft.ticker = value;
        return draft.build();
    }

    /**
     * A copy with {@link #reuseFrames()} switched on or off.
     *
     * @param value whether frames are reused
     * @return the copy
     */
    public FrameConnConfig withReuseFrames(boolean value) {
        Draft draft = new Draft(this);
        draft.reuseFrames = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #socketBufferSize()}; 0 leaves the sizes to the operating system.
     *
     * @param value the new socket buffer size in bytes
     * @return the copy
     */
    public FrameConnConfig withSocketBufferSize(int value) {
        Draft draft = new Draft(this);
        draft.socketBufferSize = value;
        return draft.build();
    }

    /**
     * A copy with another {@link #readSpin()}: how long a reader that finds no
     * bytes waiting polls for them, without blocking, before it parks in a
     * blocking read. {@link Duration#ZERO}, the default, switches spinning off.
     *
     * <p>A frame that arrives within the budget is read without the reader
     * thread being parked and woken again, which saves the wake-up latency of a
     * round trip. The price is CPU: while it waits, the reader keeps a core busy,
     * up to the whole budget per read that finds nothing waiting (polling
     * between {@link Thread#onSpinWait()} hints). Once the budget is spent it
     * parks exactly as without spinning and uses no CPU until bytes arrive. Only
     * the wait for the first bytes of a frame spins, on the configured
     * {@link #ticker()}. A budget of some microseconds suits a request/response
     * peer on the same host or rack; connections that sit idle gain nothing.
     *
     * <p>Spinning helps only while the spinning thread and the one that answers
     * each have a CPU. A reader whose polls show that it lost its CPU (two polls
     * more than 500 µs apart), or whose last two spins ran out of budget (the peer
     * may be the one waiting for a CPU), stops spinning and parks at once for
     * 10 ms, doubling with each loss in a row up to 1 s: on a machine whose CPUs are all busy a
     * spinning reader is no slower than a parking one, instead of costing its
     * peer a scheduler time slice per round trip.
     *
     * <p>Spinning needs a transport that can tell whether bytes are waiting
     * ({@link dev.frameconn.transport.Transport#available()}): TCP and Unix
     * domain sockets can. Over a transport that cannot, among them TLS
     * ({@code frameconn-tls}) and transports that keep the interface's default,
     * the setting is ignored and reads park at once.
     *
     * @param value the spin budget per read, zero or positive
     * @return the copy
     */
    public FrameConnConfig withReadSpin(Duration value) {
        Draft draft = new Draft(this);
        draft.readSpin = value;
        return draft.build();
    }

    /**
     * Gives a TCP channel the {@link #socketBufferSize()}, if it is not 0:
     * SO_RCVBUF, and SO_SNDBUF where the channel has one (a listening channel
     * has not; its accepted channels inherit its SO_RCVBUF). Call it before
     * connecting or binding. The library applies it to TCP channels only.
     *
     * @param channel the TCP channel to configure
     * @throws IOException if the operating system refuses the option
     */
    public void applySocketBuffers(NetworkChannel channel) throws IOException {
        Objects.requireNonNull(channel, "channel");
        if (socketBufferSize == 0) {
            return;
        }
        if (channel.supportedOptions().contains(StandardSocketOptions.SO_RCVBUF)) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferSize);
        }
        if (channel.supportedOptions().contains(StandardSocketOptions.SO_SNDBUF)) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferSize);
        }
    }

    /** A mutable copy: each wither changes one field and builds, so the constructor call is written once. */
    private static final class Draft {
        int maxPayloadLength;
        Duration idleTimeout;
        Duration shutdownTimeout;
        long drainLimit;
        Duration connectTimeout;
        int readBufferSize;
        BufferPool bufferPool;
        FrameConnMetrics metrics;
        Ticker ticker;
        boolean reuseFrames;
        int socketBufferSize;
        Duration readSpin;

        Draft(FrameConnConfig from) {
            maxPayloadLength = from.maxPayloadLength;
            idleTimeout = from.idleTimeout;
            shutdownTimeout = from.shutdownTimeout;
            drainLimit = from.drainLimit;
            connectTimeout = from.connectTimeout;
            readBufferSize = from.readBufferSize;
            bufferPool = from.bufferPool;
            metrics = from.metrics;
            ticker = from.ticker;
            reuseFrames = from.reuseFrames;
            socketBufferSize = from.socketBufferSize;
            readSpin = from.readSpin;
        }

        FrameConnConfig build() {
            return new FrameConnConfig(maxPayloadLength, idleTimeout, shutdownTimeout, drainLimit, connectTimeout,
                    readBufferSize, bufferPool, metrics, ticker, reuseFrames, socketBufferSize, readSpin);
        }
    }
}
