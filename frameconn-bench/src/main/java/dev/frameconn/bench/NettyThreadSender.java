package dev.frameconn.bench;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending side of one Netty connection driven by an application thread, as
 * most Netty users send: {@link #run()} on that thread writes the frames to the
 * channel, which only queues them for the event loop; the handler part, on the
 * event loop, wakes the thread when the channel becomes writable again or
 * closes. Per-frame mode calls {@code writeAndFlush} for every frame's payload,
 * so frames queued while a write is under way leave together in the event
 * loop's next gathering write; batch mode flushes every
 * {@link Wire#batchFrames} frames. While the channel is not writable (Netty's
 * default water marks) the thread flushes what it has and blocks.
 */
// close() ends the stream (the receiver's channelInactive accounts for it) or follows a failure
// already entered in the ledger; the writes' failures arrive through the last write's future
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyThreadSender extends ChannelInboundHandlerAdapter {
    private final String name;
    private final Round round;
    private final Ledger ledger;
    private final NettyFrames frames;
    private final boolean perFrame;
    private final int batch;
    private final boolean tls;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writableOrClosed = lock.newCondition();
    /** Set before the sending thread starts (which publishes it). */
    private Channel channel;

    /** A sender of {@code frames} in {@code mode}; {@code tls}: end the stream with {@link NettyTls#endStream}. */
    NettyThreadSender(String name, Round round, Ledger ledger, NettyFrames frames, Mode mode, boolean tls) {
        this.name = name;
        this.round = round;
        this.ledger = ledger;
        this.frames = frames;
        this.perFrame = mode == Mode.PER_FRAME;
        this.batch = Wire.batchFrames(frames.payload());
        this.tls = tls;
    }

    /** The connected channel; call before the thread running {@link #run()} starts. */
    void channel(Channel channel) {
        this.channel = channel;
    }

    /** The sending thread: frames until the round's budget or time is up, then the end of the stream. */
    void run() {
        Channel ch = channel;
        try {
            int port = ((InetSocketAddress) ch.localAddress()).getPort();
            long began = round.awaitGo();
            long budget = round.frameBudget();
            long sent = 0;
            int unflushed = 0;
            while (sent < budget && !round.stopped()) {
                if (!ch.isWritable()) {
                    if (unflushed > 0) {
                        // unflushed frames count against the high water mark; only a flush drains them
                        ch.flush();
                        unflushed = 0;
                    }
                    if (!awaitWritable(ch)) {
                        throw new BenchmarkFailure(name + ": port=" + port
                                + " closed before the round ended, after frames=" + sent);
                    }
                }
                sent++;
                if (perFrame) {
                    frames.write(ch, ch.alloc(), true);
                } else {
                    frames.write(ch, ch.alloc(), false);
                    if (++unflushed == batch) {
                        ch.flush();
                        unflushed = 0;
                    }
                }
            }
            // completes after every earlier write has left, in order (and fails if any could not)
            ChannelFuture last = ch.writeAndFlush(Unpooled.EMPTY_BUFFER);
            if (!last.await(Bench.ROUND_SLACK_NANOS, TimeUnit.NANOSECONDS)) {
                throw new BenchmarkFailure(name + ": port=" + port + " last write did not complete within "
                        + Bench.ROUND_SLACK_NANOS / 1_000_000_000 + " s");
            }
            if (!last.isSuccess()) {
                throw new BenchmarkFailure(name + ": port=" + port + " write failed: " + last.cause(),
                        last.cause());
            }
            ledger.sent(port, sent, began);
            if (!tls) {
                ch.close(); // ends the stream: the receiver's channelInactive closes its books
            } else {
                NettyTls.endStream(ch, ledger);
                // the receiver reads to the end, then closes; reading until then leaves nothing unread here
                if (!ch.closeFuture().await(Bench.ROUND_SLACK_NANOS, TimeUnit.NANOSECONDS)) {
                    throw new BenchmarkFailure(name + ": port=" + port + " the receiver did not close within "
                            + Bench.ROUND_SLACK_NANOS / 1_000_000_000 + " s after the end of the stream");
                }
            }
        } catch (Throwable t) {
            ledger.fail(t);
            ch.close();
        } finally {
            ledger.partyDone();
        }
    }

    /** Blocks until the channel is writable (true) or closed (false). */
    private boolean awaitWritable(Channel ch) throws InterruptedException {
        lock.lock();
        try {
            // the event loop changes writability before it signals under this lock: no lost wake-up
            while (!ch.isWritable()) {
                if (!ch.isActive()) {
                    return false;
                }
                writableOrClosed.await();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void wake() {
        lock.lock();
        try {
            writableOrClosed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            wake();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        wake();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ledger.fail(cause);
        ctx.close();
    }
}
