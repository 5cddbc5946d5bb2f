package dev.frameconn.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * The receiving side of one Netty connection of a transfer, behind
 * {@link NettyFrames#decoder()}: checks and counts each frame, releases it,
 * and closes its books in the {@link Ledger} when the sender's stream ends.
 */
// close() follows a failure already entered in the ledger; channelInactive then closes the books
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyReceiver extends ChannelInboundHandlerAdapter {
    private final String name;
    private final Ledger ledger;
    private final NettyFrames expected;
    private final CountDownLatch active;
    private int port;
    private long frames;
    private long bytes;
    private boolean accounted;

    /** Counts frames like {@code expected}'s into {@code ledger}; counts {@code active} down once connected. */
    NettyReceiver(String name, Ledger ledger, NettyFrames expected, CountDownLatch active) {
        this.name = name;
        this.ledger = ledger;
        this.expected = expected;
        this.active = active;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        port = ((InetSocketAddress) ctx.channel().remoteAddress()).getPort();
        active.countDown();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (!expected.matches(frame)) {
                ledger.fail(new BenchmarkFailure(name + ": port=" + port + " frame type=" + NettyFrames.type(frame)
                        + " bytes=" + frame.readableBytes() + ", expected type=" + Wire.TYPE + " bytes="
                        + expected.frameLength()));
                ctx.close();
                return;
            }
            frames++;
            bytes += expected.payload();
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        long end = System.nanoTime();
        if (!accounted) {
            accounted = true;
            ledger.received(port, frames, bytes, end);
            ledger.partyDone();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ledger.fail(cause);
        ctx.close();
    }
}
