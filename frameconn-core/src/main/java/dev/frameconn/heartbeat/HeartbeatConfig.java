package dev.frameconn.heartbeat;

import dev.frameconn.FrameConnConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * The immutable settings of a {@link HeartbeatConn}. Start from {@link #defaults()}
 * and change what you need with the {@code with…} methods; values are checked
 * when the record is made.
 *
 * @param sendInterval a HEARTBEAT frame is sent whenever nothing was written for
 *        this long. Default 5 s, as in zrepl. Must be shorter than {@code peerTimeout}.
 * @param peerTimeout a peer that sends nothing at all, not even a heartbeat, for
 *        this long is taken for dead; it becomes the connection's idle timeout,
 *        and a shutdown may take this long. Default 10 s, as in zrepl.
 * @param stallTimeout a peer that stays alive but lets application data stall
 *        for this long is reported as stalled ({@link StreamStalledException}).
 *        Progress means payload bytes, and the time counted is time the
 *        application waits on the peer. Receiving: the time threads waited in
 *        {@link HeartbeatConn#readFrame()}, added up since the last application
 *        frame with at least one payload byte arrived. Sending: the time
 *        application writes (once they have the write side) and flushes were
 *        under way, added up since the last write of a frame with at least one
 *        payload byte returned or the flush after it did. Heartbeats and
 *        application frames with an empty payload (an empty data frame, an
 *        empty ERROR_TRAILER, the stream layer's END) prove the peer alive but
 *        are not progress: waiting for them or on them adds up, so trickling
 *        them does not hold a stall off. One payload byte is progress however
 *        slowly it comes: there is no minimum rate. {@link Duration#ZERO} (the
 *        default) switches it off, because a connection that waits for requests
 *        is idle, not stalled.
 * @param receiveQueueFrames application frames the background reader keeps
 *        ready for the application at most; when the queue is full the reader
 *        stops reading, so TCP flow control still slows the peer down.
 *        Default {@value #DEFAULT_RECEIVE_QUEUE_FRAMES}.
 * @param threadFactory makes the connection's threads: its reader (a
 *        virtual reader is replaced by a fresh one after each heartbeat it
 *        receives, so the factory is called about once per send interval for
 *        it; a platform reader lives as long as the connection); a short-lived thread whenever a
 *        heartbeat is written (at most one at a time), and one to close the
 *        connection after a stall; and the stream layer's source readers.
 *        Pacing is a timer, not a thread. The short-lived threads are made on
 *        the shared timer thread, so the factory must not block; if it fails
 *        for them, a plain virtual thread does the work instead. Default:
 *        virtual threads named {@code frameconn-heartbeat-…}.
 * @param metrics where the connection reports heartbeats and stalls. Default
 *        {@link HeartbeatMetrics#NOOP}.
 */
public record HeartbeatConfig(
        Duration sendInterval,
        Duration peerTimeout,
        Duration stallTimeout,
        int receiveQueueFrames,
        ThreadFactory threadFactory,
        HeartbeatMetrics metrics) {

    /** Default {@link #sendInterval()}: 5 s. */
    public static final Duration DEFAULT_SEND_INTERVAL = Duration.ofSeconds(5);
    /** Default {@link #peerTimeout()}: 10 s. */
    public static final Duration DEFAULT_PEER_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #receiveQueueFrames()}. */
    public static final int DEFAULT_RECEIVE_QUEUE_FRAMES = 8;

    private static final ThreadFactory VIRTUAL = Thread.ofVirtual().name("frameconn-heartbeat-", 0).factory();
    private static final HeartbeatConfig DEFAULTS = new HeartbeatConfig(DEFAULT_SEND_INTERVAL,
            DEFAULT_PEER_TIMEOUT, Duration.ZERO, DEFAULT_RECEIVE_QUEUE_FRAMES, VIRTUAL, HeartbeatMetrics.NOOP);

    /** Checks every value; messages say {@code name=value}. */
    public HeartbeatConfig {
        requirePositive("sendInterval", sendInterval);
        requirePositive("peerTimeout", peerTimeout);
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        if (stallTimeout.isNegative() || stallTimeout.compareTo(FrameConnConfig.MAX_DURATION) > 0) {
            throw new IllegalArgumentException("stallTimeout=" + stallTimeout + " must be in 0.."
                    + FrameConnConfig.MAX_DURATION.toDays() + " days");
        }
        if (sendInterval.compareTo(peerTimeout) >= 0) {
            // the peer would time us out between two heartbeats
            throw new IllegalArgumentException("sendInterval=" + sendInterval
                    + " must be shorter than peerTimeout=" + peerTimeout);
        }
        if (receiveQueueFrames < 1) {
            throw new IllegalArgumentException("receiveQueueFrames=" + receiveQueueFrames + " must be >= 1");
        }
        Objects.requireNonNull(threadFactory, "threadFactory");
        Objects.requireNonNull(metrics, "metrics");
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero() || value.compareTo(FrameConnConfig.MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + "=" + value + " must be in (0, "
                    + FrameConnConfig.MAX_DURATION.toDays() + " days]");
        }
    }

    /**
     * The defaults listed on this record: zrepl's 5 s interval and 10 s peer timeout, no stall timeout.
     *
     * @return the default configuration
     */
    public static HeartbeatConfig defaults() {
        return DEFAULTS;
    }

    /**
     * A copy with another {@link #sendInterval()}.
     *
     * @param value the new send interval
     * @return the copy
     */
    public HeartbeatConfig withSendInterval(Duration value) {
        return new HeartbeatConfig(value, peerTimeout, stallTimeout, receiveQueueFrames, threadFactory, metrics);
    }

    /**
     * A copy with another {@link #peerTimeout()}.
     *
     * @param value the new peer timeout
     * @return the copy
     */
    public HeartbeatConfig withPeerTimeout(Duration value) {
        return new HeartbeatConfig(sendInterval, value, stallTimeout, receiveQueueFrames, threadFactory, metrics);
    }

    /**
     * A copy with another {@link #sendInterval()} and {@link #peerTimeout()} at
     * once: the two are checked against each other, so changing both one by one
     * can fail in between (10 s/5 s to 2 s/500 ms, say).
     *
     * @param sendInterval the new send interval
     * @param peerTimeout the new peer timeout
     * @return the copy
     */
    public HeartbeatConfig withTiming(Duration sendInterval, Duration peerTimeout) {
        return new HeartbeatConfig(sendInterval, peerTimeout, stallTimeout, receiveQueueFrames, threadFactory,
                metrics);
    }

    /**
     * A copy with another {@link #stallTimeout()}; zero switches stall detection off.
     *
     * @param value the new stall timeout
     * @return the copy
     */
    public HeartbeatConfig withStallTimeout(Duration value) {
        return new HeartbeatConfig(sendInterval, peerTimeout, value, receiveQueueFrames, threadFactory, metrics);
    }

    /**
     * A copy with another {@link #receiveQueueFrames()}.
     *
     * @param value the new receive queue capacity in frames
     * @return the copy
     */
    public HeartbeatConfig withReceiveQueueFrames(int value) {
        return new HeartbeatConfig(sendInterval, peerTimeout, stallTimeout, value, threadFactory, metrics);
    }

    /**
     * A copy with another {@link #threadFactory()}.
     *
     * @param value the new factory of the background threads
     * @return the copy
     */
    public HeartbeatConfig withThreadFactory(ThreadFactory value) {
        return new HeartbeatConfig(sendInterval, peerTimeout, stallTimeout, receiveQueueFrames, value, metrics);
    }

    /**
     * A copy with another {@link #metrics()}.
     *
     * @param value the new metrics sink
     * @return the copy
     */
    public HeartbeatConfig withMetrics(HeartbeatMetrics value) {
        return new HeartbeatConfig(sendInterval, peerTimeout, stallTimeout, receiveQueueFrames, threadFactory, value);
    }
}
