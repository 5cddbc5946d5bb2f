package dev.frameconn.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Netty as its users run it: default channel options (so the default write
 * buffer water marks, 32 KiB low and 64 KiB high) except the allocator,
 * {@link io.netty.handler.codec.LengthFieldBasedFrameDecoder} on the receiving
 * side, and on the sending side an application thread that writes to the
 * channel while the event loop does the I/O ({@link NettyThreadSender}). Each
 * frame is the 8-byte header in its own small buffer followed by the payload
 * (a retained duplicate of one shared direct buffer, so no copy), both made in
 * one place, {@link NettyFrames}. In {@link Mode#PER_FRAME} the sender calls
 * {@code write(header)} and {@code writeAndFlush(payload)} for every frame; in
 * {@link Mode#BATCH} it calls {@code write} per frame and {@code flush()} every
 * 64 frames. Backpressure as Netty offers it: while the channel is not
 * writable the sender flushes what it has and blocks until
 * {@code channelWritabilityChanged} reports it writable again.
 *
 * <p>With {@link NettyOptions#eventLoopSender()} ({@code --netty-sender
 * event-loop}) the sender instead runs on the channel's event loop
 * ({@link NettyLoopSender}). With {@link NettyOptions#tls()} an SslHandler
 * comes first in both pipelines and the sender ends its stream in order
 * ({@link NettyTls}).
 *
 * <p>Ping-pong runs wholly on the event loops ({@link NettyPingPong}).
 */
final class NettyContender implements Contender {
    /** How the sending threads are described in the table and the JSON, after their kind. */
    private static final String SENDER_SUFFIX = "+event-loop";

    private final NettyTransport transport;
    private final Mode mode;
    private final boolean eventLoopSender;
    /** Non-null: the tls workload's contender, an SslHandler first in both pipelines. */
    private final BenchTls tls;

    /** The contender {@code options} describe. */
    NettyContender(NettyOptions options) {
        this.transport = options.transport();
        this.mode = options.mode();
        this.eventLoopSender = options.eventLoopSender();
        this.tls = options.tls();
    }

    @Override
    public Impl impl() {
        return tls == null ? transport.impl : Impl.NETTY_NIO_TLS;
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

    private static boolean await(CountDownLatch latch, long nanos) throws InterruptedException {
        return latch.await(nanos, TimeUnit.NANOSECONDS);
    }

    private static void closeAll(List<Channel> channels) {
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------ one-way

    @Override
    public TransferResult transfer(int payload, int connections, Round round, ThreadKind threads)
            throws Exception {
        Ledger ledger = new Ledger(name(), payload, connections);
        CountDownLatch receiversActive = new CountDownLatch(connections);
        NettyFrames frames = new NettyFrames(transport.allocator, payload);
        List<Channel> channels = new ArrayList<>(connections + 1);
        List<Thread> senderThreads = new ArrayList<>(connections);
        try {
            Channel server = bind(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    NettyTls.server(tls, ch);
                    ch.pipeline().addLast(NettyFrames.decoder(),
                            new NettyReceiver(name(), ledger, frames, receiversActive));
                }
            });
            channels.add(server);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            List<NettyThreadSender> senders = new ArrayList<>(connections);
            List<NettyLoopSender> loopSenders = new ArrayList<>(connections);
            for (int i = 0; i < connections; i++) {
                ChannelInboundHandlerAdapter handler;
                NettyThreadSender sender = null;
                if (eventLoopSender) {
                    NettyLoopSender loopSender = new NettyLoopSender(round, ledger, frames, mode, tls != null);
                    loopSenders.add(loopSender);
                    handler = loopSender;
                } else {
                    sender = new NettyThreadSender(name(), round, ledger, frames, mode, tls != null);
                    senders.add(sender);
                    handler = sender;
                }
                Channel client = connect(server, new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        NettyTls.client(tls, ch, port);
                        ch.pipeline().addLast(handler);
                    }
                });
                channels.add(client);
                NettyTls.awaitHandshake(tls, client);
                if (sender != null) {
                    sender.channel(client);
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
            for (NettyLoopSender loopSender : loopSenders) {
                loopSender.start();
            }
            round.runToEnd();
            return ledger.await(round);
        } finally {
            round.abort();
            closeAll(channels);
            // closing woke any sender still blocked on writability
            for (Thread t : senderThreads) {
                Bench.join(t, name());
            }
            frames.release();
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
        NettyFrames frames = new NettyFrames(transport.allocator, payload);
        NettyPingPong.Pinger pinger = new NettyPingPong.Pinger(name(), round, frames,
                Bench.sampleArray(durationNanos));
        NettyPingPong.Echo echo = new NettyPingPong.Echo();
        List<Channel> channels = new ArrayList<>(2);
        try {
            Channel server = bind(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(NettyFrames.decoder(), echo);
                }
            });
            channels.add(server);
            channels.add(connect(server, new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(NettyFrames.decoder(), pinger);
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
            closeAll(channels);
            frames.release();
        }
    }

    @Override
    public void close() {
        // the event loops belong to the shared NettyTransport
    }
}
