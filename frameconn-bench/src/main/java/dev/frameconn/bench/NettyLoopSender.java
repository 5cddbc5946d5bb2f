package dev.frameconn.bench;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;

/**
 * The sending side of one Netty connection on its event loop
 * ({@code --netty-sender event-loop}): it writes while the channel is
 * writable and resumes on {@code channelWritabilityChanged}; every
 * {@code writeAndFlush} flushes at once, one system call per frame in
 * per-frame mode. It gives the event loop back to the loop's other channels
 * every {@link #PUMP_FRAMES} frames. All its state is touched on the event
 * loop only.
 */
// close() follows a failure already entered in the ledger (or ends the stream, which
// channelInactive accounts); a failed close adds nothing: the channel is gone either way
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyLoopSender extends ChannelInboundHandlerAdapter {
    /** Frames one pump call writes before it yields the event loop to other channels. */
    static final int PUMP_FRAMES = 1024;

    private final Round round;
    private final Ledger ledger;
    private final NettyFrames frames;
    private final boolean perFrame;
    private final int batch;
    /** TLS: end the stream with {@link NettyTls#endStream}, and account once the receiver has closed. */
    private final boolean tls;
    private ChannelHandlerContext ctx;
    private int port;
    /** When this sender's first write began ({@link System#nanoTime()}): its active time counts from here. */
    private long began;
    private long sent;
    private int unflushed;
    private boolean started;
    private boolean pumping;
    private boolean finished;
    private boolean accounted;

    /** A sender of {@code frames} in {@code mode} for {@code round}; {@code tls}: end the stream in order. */
    NettyLoopSender(Round round, Ledger ledger, NettyFrames frames, Mode mode, boolean tls) {
        this.round = round;
        this.ledger = ledger;
        this.frames = frames;
        this.perFrame = mode == Mode.PER_FRAME;
        this.batch = Wire.batchFrames(frames.payload());
        this.tls = tls;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // registration precedes connect, whose sync() publishes this to the thread calling start()
        this.ctx = ctx;
    }

    /** Starts sending, on the event loop. */
    void start() {
        ctx.executor().execute(() -> {
            port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
            // the event loop may run this well after the round's start (other channels' pumps first);
            // like the application-thread senders, count this sender's time from when it could begin
            began = System.nanoTime();
            started = true;
            pump();
        });
    }

    private void pump() {
        if (finished || !started) {
            return;
        }
        if (pumping) {
            // a flush inside the loop fired channelWritabilityChanged: do not write from
            // inside the loop's own write (its frame is not counted yet); run again after it
            ctx.executor().execute(this::pump);
            return;
        }
        pumping = true;
        try {
            pumpFrames();
        } finally {
            pumping = false;
        }
    }

    private void pumpFrames() {
        Channel channel = ctx.channel();
        int budget = PUMP_FRAMES;
        while (channel.isWritable()) {
            if (sent >= round.frameBudget() || round.stopped()) {
                finish();
                return;
            }
            sent++;
            if (perFrame) {
                frames.write(ctx, ctx.alloc(), true);
            } else {
                frames.write(ctx, ctx.alloc(), false);
                if (++unflushed == batch || sent == round.frameBudget()) {
                    ctx.flush();
                    unflushed = 0;
                }
            }
            if (--budget == 0) {
                // let the other channels of this event loop have a turn
                ctx.executor().execute(this::pump);
                return;
            }
        }
        if (unflushed > 0) {
            // not writable with frames still unflushed: only a flush lets the buffer drain
            ctx.flush();
            unflushed = 0;
        }
    }

    private void finish() {
        finished = true;
        // completes after every earlier write has left, in order; then end the stream
        ChannelFuture last = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
        last.addListener(f -> {
            if (f.isSuccess()) {
                ledger.sent(port, sent, began);
            } else {
                ledger.fail(f.cause());
            }
            if (tls && f.isSuccess()) {
                NettyTls.endStream(ctx.channel(), ledger); // channelInactive accounts when the receiver has closed
            } else {
                ctx.close();
                account();
            }
        });
    }

    private void account() {
        if (!accounted) {
            accounted = true;
            ledger.partyDone();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            pump();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (started && !finished) {
            ledger.fail(new BenchmarkFailure("netty sender: port=" + port + " closed before the round ended"));
        }
        if (started) {
            account();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ledger.fail(cause);
        ctx.close();
    }
}
