package dev.frameconn.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.CountDownLatch;

/**
 * The two ends of Netty's ping-pong, both wholly on the event loops: the
 * {@link Pinger} writes the next request from {@code channelRead} of the
 * previous echo, the {@link Echo} writes every frame straight back.
 */
// a failed echo write closes the channel, which the Pinger's channelInactive reports as
// "connection closed mid ping-pong"; close() follows a failure already recorded
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyPingPong {
    private NettyPingPong() {}

    /** The client: sends, waits for the echo, records the round trip, repeats until the round stops. */
    static final class Pinger extends ChannelInboundHandlerAdapter {
        final CountDownLatch done = new CountDownLatch(1);
        final long[] samples;
        int count;
        long endNanos;
        Throwable failure;
        private final String name;
        private final Round round;
        private final NettyFrames frames;
        private ChannelHandlerContext ctx;
        private long sentAt;

        /** Up to {@code samples.length} round trips of {@code frames} within {@code round}. */
        Pinger(String name, Round round, NettyFrames frames, long[] samples) {
            this.name = name;
            this.round = round;
            this.frames = frames;
            this.samples = samples;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        /** Sends the first request, on the event loop. */
        void start() {
            ctx.executor().execute(this::ping);
        }

        private void ping() {
            sentAt = System.nanoTime();
            frames.write(ctx, ctx.alloc(), true);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            long now = System.nanoTime();
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (!frames.matches(frame)) {
                    stop(new BenchmarkFailure(name + ": echoed frame bytes=" + frame.readableBytes()
                            + ", expected bytes=" + frames.frameLength()));
                    return;
                }
            } finally {
                frame.release();
            }
            samples[count++] = now - sentAt;
            if (round.stopped() || count == samples.length) {
                stop(null);
            } else {
                ping();
            }
        }

        private void stop(Throwable cause) {
            if (done.getCount() == 0) {
                return;
            }
            failure = cause;
            endNanos = System.nanoTime();
            ctx.close();
            done.countDown();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            stop(done.getCount() == 0 ? null : new BenchmarkFailure(name + ": connection closed mid ping-pong"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stop(cause);
        }
    }

    /** The server: writes every frame straight back. */
    static final class Echo extends ChannelInboundHandlerAdapter {
        final CountDownLatch done = new CountDownLatch(1);
        long count;
        Throwable failure;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            count++;
            ctx.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            done.countDown();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure = cause;
            ctx.close();
        }
    }
}
