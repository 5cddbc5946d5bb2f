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
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Netty as its users run it: default channel options (so the default write
 * buffer water marks, 32 KiB low and 64 KiB high) except the allocator,
 * {@link LengthFieldBasedFrameDecoder} on the receiving side, and on the
 * sending side an application thread that writes to the channel while the
 * event loop does the I/O. Each frame is the 8-byte header in its own small
 * buffer followed by the payload (a retained duplicate of one shared direct
 * buffer, so no copy). In {@link Mode#PER_FRAME} the sender calls
 * {@code write(header)} and {@code writeAndFlush(payload)} for every frame;
 * since these calls only queue work for the event loop, frames queued while a
 * write is under way leave together in the event loop's next gathering write.
 * In {@link Mode#BATCH} it calls {@code write} per frame and {@code flush()}
 * every 64 frames. Backpressure as Netty offers it: while the channel is not
 * writable the sender flushes what it has and blocks until
 * {@code channelWritabilityChanged} reports it writable again.
 *
 * <p>With {@code eventLoopSender} (option {@code --netty-sender event-loop})
 * the sender instead runs on the channel's event loop, writing while the
 * channel is writable and resuming on {@code channelWritabilityChanged}; there
 * every {@code writeAndFlush} flushes at once, one system call per frame.
 *
 * <p>Ping-pong runs wholly on the event loops: the client writes the next
 * request from {@code channelRead} of the previous echo.
 *
 * <p>With TLS the sender ends its stream in order, as frameconn-tls does:
 * close_notify, then FIN, then it reads until the receiver closes, and only
 * then closes. Closing at once would not do: the server sends its TLS 1.3
 * session ticket only after it has checked the client's certificate, which a
 * cold JVM may finish after a short round; a client socket closed with that
 * ticket unread (or receiving it afterwards) answers with RST, which throws
 * away the frames still in its send buffer, and the receiver's read fails with
 * "Connection reset".
 */
final class NettyContender implements Contender {
    private static final int HEADER = 8;
    /** Frames one event-loop pump call writes before it yields the event loop to other channels. */
    private static final int PUMP_FRAMES = 1024;
    /** How the sending threads are described in the table and the JSON, after their kind. */
    private static final String SENDER_SUFFIX = "+event-loop";

    private final NettyTransport transport;
    private final Mode mode;
    private final boolean eventLoopSender;
    /** Non-null: the tls workload's contender, an SslHandler first in both pipelines. */
    private final BenchTls tls;

    /** A contender whose senders are application threads. */
    NettyContender(NettyTransport transport, Mode mode) {
        this(transport, mode, false, null);
    }

    /** A contender whose senders are application threads, or run on the event loop if {@code eventLoopSender}. */
    NettyContender(NettyTransport transport, Mode mode, boolean eventLoopSender) {
        this(transport, mode, eventLoopSender, null);
    }

    /** With application-thread senders and {@code SslHandler}s from {@code tls}'s contexts (NIO only). */
    NettyContender(NettyTransport transport, Mode mode, BenchTls tls) {
        this(transport, mode, false, tls);
    }

    /**
     * Senders on application threads or, if {@code eventLoopSender}, on the event loop; with
     * {@code SslHandler}s from {@code tls}'s contexts when it is not null (NIO only).
     */
    NettyContender(NettyTransport transport, Mode mode, boolean eventLoopSender, BenchTls tls) {
        this.transport = transport;
        this.mode = mode;
        this.eventLoopSender = eventLoopSender;
        this.tls = tls;
    }

    @Override
    public Impl impl() {
        return tls == null ? transport.impl : Impl.NETTY_NIO_TLS;
    }

    /** Adds the server's SslHandler first, for the tls workload. */
    private void serverTls(Channel ch) {
        if (tls != null) {
            ch.pipeline().addFirst(tls.nettyServer.newHandler(ch.alloc()));
        }
    }

    /** Adds the client's SslHandler first (host name checked), for the tls workload. */
    private void clientTls(Channel ch, int port) {
        if (tls != null) {
            ch.pipeline().addFirst(tls.nettyClient.newHandler(ch.alloc(), BenchTls.HOST, port));
        }
    }

    /** Waits for the client's TLS handshake, so that the round does not time it. */
    private void awaitHandshake(Channel client) throws Exception {
        if (tls != null) {
            client.pipeline().get(SslHandler.class).handshakeFuture().get(Bench.ROUND_SLACK_NANOS,
                    TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Ends a TLS sender's stream in order: close_notify, then FIN, keeping the
     * channel open; the receiver reads to the end and closes, and the client
     * then reads the end of stream and closes too (see the class comment).
     * A failure is entered in {@code ledger} and closes the channel.
     */
    private static void endTlsStream(Channel ch, Ledger ledger) {
        ch.pipeline().get(SslHandler.class).closeOutbound().addListener((ChannelFuture closeNotify) -> {
            if (!closeNotify.isSuccess()) {
                ledger.fail(closeNotify.cause());
                ch.close();
                return;
            }
            ((DuplexChannel) ch).shutdownOutput().addListener((ChannelFuture fin) -> {
                if (!fin.isSuccess()) {
                    ledger.fail(fin.cause());
                    ch.close();
                }
            });
        });
    }

    @Override
    public Mode mode() {
        return mode;
    }

    @Override
    public String threads(ThreadKind requested) {
        // the sender is an application thread of the requested kind; I/O and receiving run on event loops
        return eventLoopSender ? "event-loop" : requested.label() + SENDER_SUFFIX;
    }

    @Override
    public String pingPongThreads() {
        return "event-loop";
    }

    private LengthFieldBasedFrameDecoder decoder() {
        // length at offset 4, 4 bytes, counts the payload only; keep the header for the checks
        return new LengthFieldBasedFrameDecoder(HEADER + Wire.MAX_PAYLOAD, 4, 4, 0, 0);
    }

    /** The run's socket buffer size, or null: Netty then leaves the option unset. */
    private static Integer socketBuffer() {
        return SocketBuffers.size() > 0 ? SocketBuffers.size() : null;
    }

    private Channel bind(ChannelInitializer<Channel> childInit) throws InterruptedException {
        return new ServerBootstrap()
                .group(transport.serverGroup)
                .channel(transport.serverChannel)
                .option(ChannelOption.ALLOCATOR, transport.allocator)
                .childOption(ChannelOption.ALLOCATOR, transport.allocator)
                .option(ChannelOption.SO_RCVBUF, socketBuffer())
                .childOption(ChannelOption.SO_SNDBUF, socketBuffer())
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
                .option(ChannelOption.SO_RCVBUF, socketBuffer())
                .option(ChannelOption.SO_SNDBUF, socketBuffer())
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
        List<Thread> senderThreads = new ArrayList<>(connections);
        try {
            Channel server = bind(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    serverTls(ch);
                    ch.pipeline().addLast(decoder(), new Receiver(ledger, payload, receiversActive));
                }
            });
            channels.add(server);
            List<Sender> senders = new ArrayList<>(connections);
            List<LoopSender> loopSenders = new ArrayList<>(connections);
            for (int i = 0; i < connections; i++) {
                ChannelInboundHandlerAdapter handler;
                Sender sender = null;
                if (eventLoopSender) {
                    LoopSender loopSender = new LoopSender(round, ledger, source, payload, mode, tls != null);
                    loopSenders.add(loopSender);
                    handler = loopSender;
                } else {
                    sender = new Sender(round, ledger, source, payload, mode);
                    senders.add(sender);
                    handler = sender;
                }
                int port = ((InetSocketAddress) server.localAddress()).getPort();
                Channel client = connect(server, new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        clientTls(ch, port);
                        ch.pipeline().addLast(handler);
                    }
                });
                channels.add(client);
                awaitHandshake(client);
                if (sender != null) {
                    sender.channel = client;
                }
            }
            if (!await(receiversActive, Bench.ROUND_SLACK_NANOS)) {
                throw new BenchmarkFailure(name() + ": only " + (connections - receiversActive.getCount())
                        + " of connections=" + connections + " were accepted in time");
            }
            for (int i = 0; i < senders.size(); i++) {
                // each waits for the round's start
                senderThreads.add(threads.start("netty-send-" + i, senders.get(i)::run));
            }
            round.start();
            for (LoopSender loopSender : loopSenders) {
                loopSender.start();
            }
            round.runToEnd();
            return ledger.await(round);
        } finally {
            round.abort();
            for (Channel channel : channels) {
                channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
            // closing woke any sender still blocked on writability
            for (Thread t : senderThreads) {
                Bench.join(t, name());
            }
            source.release();
        }
    }

    /**
     * The sending side of one connection: {@link #run()} on an application
     * thread writes the frames; the handler part, on the event loop, wakes
     * that thread when the channel becomes writable again or closes.
     */
    private final class Sender extends ChannelInboundHandlerAdapter {
        private final Round round;
        private final Ledger ledger;
        private final ByteBuf source;
        private final int payload;
        private final boolean perFrame;
        private final int batch;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition writableOrClosed = lock.newCondition();
        /** Set before the sending thread starts (which publishes it). */
        Channel channel;

        Sender(Round round, Ledger ledger, ByteBuf source, int payload, Mode mode) {
            this.round = round;
            this.ledger = ledger;
            this.source = source;
            this.payload = payload;
            this.perFrame = mode == Mode.PER_FRAME;
            this.batch = Wire.batchFrames(payload);
        }

        /** The sending thread: frames until the round's budget or time is up, then the end of the stream. */
        void run() {
            Channel ch = channel;
            try {
                int port = ((InetSocketAddress) ch.localAddress()).getPort();
                long began = round.awaitGo();
                long budget = round.frameBudget();
                long frames = 0;
                int unflushed = 0;
                while (frames < budget && !round.stopped()) {
                    if (!ch.isWritable()) {
                        if (unflushed > 0) {
                            // unflushed frames count against the high water mark; only a flush drains them
                            ch.flush();
                            unflushed = 0;
                        }
                        if (!awaitWritable(ch)) {
                            throw new BenchmarkFailure(name() + ": port=" + port
                                    + " closed before the round ended, after frames=" + frames);
                        }
                    }
                    ByteBuf header = ch.alloc().buffer(HEADER);
                    header.writeInt(Wire.TYPE).writeInt(payload);
                    ch.write(header);
                    frames++;
                    if (perFrame) {
                        ch.writeAndFlush(source.retainedDuplicate());
                    } else {
                        ch.write(source.retainedDuplicate());
                        if (++unflushed == batch) {
                            ch.flush();
                            unflushed = 0;
                        }
                    }
                }
                // completes after every earlier write has left, in order (and fails if any could not)
                ChannelFuture last = ch.writeAndFlush(Unpooled.EMPTY_BUFFER);
                if (!last.await(Bench.ROUND_SLACK_NANOS, TimeUnit.NANOSECONDS)) {
                    throw new BenchmarkFailure(name() + ": port=" + port + " last write did not complete within "
                            + Bench.ROUND_SLACK_NANOS / 1_000_000_000 + " s");
                }
                if (!last.isSuccess()) {
                    throw new BenchmarkFailure(name() + ": port=" + port + " write failed: " + last.cause(),
                            last.cause());
                }
                ledger.sent(port, frames, began);
                if (tls == null) {
                    ch.close(); // ends the stream: the receiver's channelInactive closes its books
                } else {
                    endTlsStream(ch, ledger);
                    // the receiver reads to the end, then closes; reading until then leaves nothing unread here
                    if (!ch.closeFuture().await(Bench.ROUND_SLACK_NANOS, TimeUnit.NANOSECONDS)) {
                        throw new BenchmarkFailure(name() + ": port=" + port + " the receiver did not close within "
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

    /** The sending side of one connection on its event loop ({@code --netty-sender event-loop}). */
    private static final class LoopSender extends ChannelInboundHandlerAdapter {
        private final Round round;
        private final Ledger ledger;
        private final ByteBuf source;
        private final int payload;
        private final boolean perFrame;
        private final int batch;
        private ChannelHandlerContext ctx;
        private int port;
        /** When this sender's first write began ({@link System#nanoTime()}): its active time counts from here. */
        private long began;
        private long frames;
        private int unflushed;
        private boolean started;
        private boolean pumping;
        private boolean finished;
        private boolean accounted;
        /** TLS: end the stream with {@link NettyContender#endTlsStream}, and account once the receiver has closed. */
        private final boolean tls;

        LoopSender(Round round, Ledger ledger, ByteBuf source, int payload, Mode mode, boolean tls) {
            this.tls = tls;
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
                if (frames >= round.frameBudget() || round.stopped()) {
                    finish();
                    return;
                }
                frames++;
                ByteBuf header = ctx.alloc().buffer(HEADER);
                header.writeInt(Wire.TYPE).writeInt(payload);
                ctx.write(header);
                if (perFrame) {
                    ctx.writeAndFlush(source.retainedDuplicate());
                } else {
                    ctx.write(source.retainedDuplicate());
                    if (++unflushed == batch || frames == round.frameBudget()) {
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
                    ledger.sent(port, frames, began);
                } else {
                    ledger.fail(f.cause());
                }
                if (tls && f.isSuccess()) {
                    endTlsStream(ctx.channel(), ledger); // channelInactive accounts when the receiver has closed
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
        return mode == Mode.PER_FRAME && tls == null;
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
            if (pinger.failure != null) {
                throw new BenchmarkFailure(name() + ": " + pinger.failure, pinger.failure);
            }
            return PingPongResult.checked(name(), pinger.samples, pinger.count, elapsed, echo.count, echo.failure);
        } finally {
            round.abort();
            for (Channel channel : channels) {
                channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
            source.release();
        }
    }

    /** Writes one frame on the event loop: the header in its own small buffer, then the payload, and flushes. */
    private static void writeFrame(ChannelHandlerContext ctx, ByteBuf source, int payload) {
        ByteBuf header = ctx.alloc().buffer(HEADER);
        header.writeInt(Wire.TYPE).writeInt(payload);
        ctx.write(header);
        ctx.writeAndFlush(source.retainedDuplicate());
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
            writeFrame(ctx, source, payload);
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
