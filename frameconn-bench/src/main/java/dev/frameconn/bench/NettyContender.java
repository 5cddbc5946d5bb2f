package dev.frameconn.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Netty as its users run it: default channel options except the allocator,
 * {@link LengthFieldBasedFrameDecoder} on the receiving side, and a sender on
 * the event loop that writes the 8-byte header itself, followed by the payload
 * (a retained duplicate of one shared direct buffer, so no copy). The sender
 * writes while the channel is writable and resumes when it becomes writable
 * again; in {@link Mode#PER_FRAME} it calls {@code writeAndFlush} for every
 * frame, in {@link Mode#BATCH} it flushes every 64 frames (and when the
 * channel stops being writable, or nothing would drain).
 */
final class NettyContender implements Contender {
    /** Frames one pump call writes before it yields the event loop to other channels. */
    private static final int PUMP_FRAMES = 1024;
    private static final int HEADER = 8;

    private final NettyTransport transport;
    private final Mode mode;

    NettyContender(NettyTransport transport, Mode mode) {
        this.transport = transport;
        this.mode = mode;
    }

    @Override
    public Impl impl() {
        return transport.impl;
    }

    @Override
    public Mode mode() {
        return mode;
    }

    @Override
    public String threads(ThreadKind requested) {
        return "event-loop";
    }

    private LengthFieldBasedFrameDecoder decoder() {
        // length at offset 4, 4 bytes, counts the payload only; keep the header for the checks
        return new LengthFieldBasedFrameDecoder(HEADER + Wire.MAX_PAYLOAD, 4, 4, 0, 0);
    }

    private Channel bind(ChannelInitializer<Channel> childInit) throws InterruptedException {
        return new ServerBootstrap()
                .group(transport.serverGroup)
                .channel(transport.serverChannel)
                .option(ChannelOption.ALLOCATOR, transport.allocator)
                .childOption(ChannelOption.ALLOCATOR, transport.allocator)
                .childHandler(childInit)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    private Channel connect(Channel server, ChannelInitializer<Channel> init) throws InterruptedException {
        return new Bootstrap()
                .group(transport.clientGroup)
                .channel(transport.clientChannel)
                .option(ChannelOption.ALLOCATOR, transport.allocator)
                .handler(init)
                .connect(server.localAddress())
                .sync()
                .channel();
    }

    private ByteBuf payloadBuffer(int payload) {
        ByteBuf buf = transport.allocator.directBuffer(payload, payload);
        for (int i = 0; i < payload; i++) {
            buf.writeByte(i);
        }
        return buf;
    }

    private static boolean await(CountDownLatch latch, long nanos) throws InterruptedException {
        return latch.await(nanos, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------ one-way

    @Override
    public TransferResult transfer(int payload, int connections, Round round, ThreadKind threads)
            throws Exception {
        Ledger ledger = new Ledger(name(), payload, connections);
        CountDownLatch receiversActive = new CountDownLatch(connections);
        ByteBuf source = payloadBuffer(payload);
        List<Channel> channels = new ArrayList<>(connections + 1);
        try {
            Channel server = bind(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(decoder(), new Receiver(ledger, payload, receiversActive));
                }
            });
            channels.add(server);
            List<Sender> senders = new ArrayList<>(connections);
            for (int i = 0; i < connections; i++) {
                Sender sender = new Sender(round, ledger, source, payload, mode);
                channels.add(connect(server, new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(sender);
                    }
                }));
                senders.add(sender);
            }
            if (!await(receiversActive, Bench.ROUND_SLACK_NANOS)) {
                throw new BenchmarkFailure(name() + ": only " + (connections - receiversActive.getCount())
                        + " of connections=" + connections + " were accepted in time");
            }
            round.start();
            for (Sender sender : senders) {
                sender.start();
            }
            round.runToEnd();
            return ledger.await(round);
        } finally {
            round.abort();
            for (Channel channel : channels) {
                channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
            source.release();
        }
    }

    /** Writes one frame: the header in its own small buffer, then the payload. */
    private static void writeFrame(ChannelHandlerContext ctx, ByteBuf source, int payload, boolean flush) {
        ByteBuf header = ctx.alloc().buffer(HEADER);
        header.writeInt(Wire.TYPE).writeInt(payload);
        ctx.write(header);
        if (flush) {
            ctx.writeAndFlush(source.retainedDuplicate());
        } else {
            ctx.write(source.retainedDuplicate());
        }
    }

    /** The sending side of one connection; all its state lives on its event loop. */
    private static final class Sender extends ChannelInboundHandlerAdapter {
        private final Round round;
        private final Ledger ledger;
        private final ByteBuf source;
        private final int payload;
        private final boolean perFrame;
        private final int batch;
        private ChannelHandlerContext ctx;
        private int port;
        private long frames;
        private int unflushed;
        private boolean started;
        private boolean pumping;
        private boolean finished;
        private boolean accounted;

        Sender(Round round, Ledger ledger, ByteBuf source, int payload, Mode mode) {
            this.round = round;
            this.ledger = ledger;
            this.source = source;
            this.payload = payload;
            this.perFrame = mode == Mode.PER_FRAME;
            this.batch = Wire.batchFrames(payload);
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // registration precedes connect, whose sync() publishes this to the thread calling start()
            this.ctx = ctx;
        }

        void start() {
            ctx.executor().execute(() -> {
                port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
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
                if (frames >= round.frameBudget() || round.stopped()) {
                    finish();
                    return;
                }
                frames++;
                writeFrame(ctx, source, payload, perFrame);
                if (!perFrame && (++unflushed == batch || frames == round.frameBudget())) {
                    ctx.flush();
                    unflushed = 0;
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
                    ledger.sent(port, frames);
                } else {
                    ledger.fail(f.cause());
                }
                ctx.close();
                account();
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

    /** The receiving side: counts the decoder's frames and releases them. */
    private final class Receiver extends ChannelInboundHandlerAdapter {
        private final Ledger ledger;
        private final int payload;
        private final CountDownLatch active;
        private int port;
        private long frames;
        private long bytes;
        private boolean accounted;

        Receiver(Ledger ledger, int payload, CountDownLatch active) {
            this.ledger = ledger;
            this.payload = payload;
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
                int type = frame.getInt(frame.readerIndex());
                if (type != Wire.TYPE || frame.readableBytes() != HEADER + payload) {
                    ledger.fail(new BenchmarkFailure(name() + ": port=" + port + " frame type=" + type
                            + " bytes=" + frame.readableBytes() + ", expected type=" + Wire.TYPE + " bytes="
                            + (HEADER + payload)));
                    ctx.close();
                    return;
                }
                frames++;
                bytes += payload;
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

    // ------------------------------------------------------------ ping-pong

    @Override
    public boolean pingPongs() {
        return mode == Mode.PER_FRAME;
    }

    @Override
    public PingPongResult pingPong(int payload, long durationNanos) throws Exception {
        Round round = Round.timed(durationNanos);
        ByteBuf source = payloadBuffer(payload);
        Pinger pinger = new Pinger(round, source, payload, Bench.sampleArray(durationNanos));
        Echo echo = new Echo();
        List<Channel> channels = new ArrayList<>(2);
        try {
            Channel server = bind(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(decoder(), echo);
                }
            });
            channels.add(server);
            channels.add(connect(server, new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(decoder(), pinger);
                }
            }));
            long start = round.start();
            pinger.start();
            round.runToEnd();
            if (!await(pinger.done, Bench.ROUND_SLACK_NANOS) || !await(echo.done, Bench.ROUND_SLACK_NANOS)) {
                throw new BenchmarkFailure(name() + ": ping-pong did not finish within "
                        + Bench.ROUND_SLACK_NANOS / 1_000_000_000 + " s after its round");
            }
            long elapsed = pinger.endNanos - start;
            if (pinger.failure != null || echo.failure != null) {
                Throwable cause = pinger.failure != null ? pinger.failure : echo.failure;
                throw new BenchmarkFailure(name() + ": " + cause, cause);
            }
            if (echo.count != pinger.count) {
                throw new BenchmarkFailure(name() + ": client made round trips=" + pinger.count
                        + " but the echo side answered frames=" + echo.count);
            }
            return PingPongResult.of(name(), pinger.samples, pinger.count, elapsed);
        } finally {
            round.abort();
            for (Channel channel : channels) {
                channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
            source.release();
        }
    }

    /** The client of a ping-pong: sends, waits for the echo, records the round trip, repeats. */
    private final class Pinger extends ChannelInboundHandlerAdapter {
        final CountDownLatch done = new CountDownLatch(1);
        final long[] samples;
        int count;
        long endNanos;
        Throwable failure;
        private final Round round;
        private final ByteBuf source;
        private final int payload;
        private ChannelHandlerContext ctx;
        private long sentAt;

        Pinger(Round round, ByteBuf source, int payload, long[] samples) {
            this.round = round;
            this.source = source;
            this.payload = payload;
            this.samples = samples;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void start() {
            ctx.executor().execute(this::ping);
        }

        private void ping() {
            sentAt = System.nanoTime();
            writeFrame(ctx, source, payload, true);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            long now = System.nanoTime();
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (frame.getInt(frame.readerIndex()) != Wire.TYPE || frame.readableBytes() != HEADER + payload) {
                    stop(new BenchmarkFailure(name() + ": echoed frame bytes=" + frame.readableBytes()
                            + ", expected bytes=" + (HEADER + payload)));
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
            stop(done.getCount() == 0 ? null : new BenchmarkFailure(name() + ": connection closed mid ping-pong"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stop(cause);
        }
    }

    /** The server of a ping-pong: writes every frame straight back. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
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

    @Override
    public void close() {
        // the event loops belong to the shared NettyTransport
    }
}
