package dev.frameconn.bench;

import java.util.Objects;

/**
 * How one {@link NettyContender} is set up. Start from {@link #of} (application
 * sender threads, plain TCP) and change what differs with the {@code with…}
 * methods.
 *
 * @param transport the shared event loops and allocator (NIO or epoll)
 * @param mode per-frame or batch
 * @param eventLoopSender the transfer senders run on the channel's event loop instead of
 *        application threads ({@code --netty-sender event-loop})
 * @param tls null for plain TCP; else the tls workload's contexts, an {@code SslHandler} first in
 *        both pipelines (NIO only)
 */
record NettyOptions(NettyTransport transport, Mode mode, boolean eventLoopSender, BenchTls tls) {

    /** Checks the combination; messages say {@code name=value}. */
    NettyOptions {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(mode, "mode");
        if (tls != null && transport.impl != Impl.NETTY_NIO) {
            throw new IllegalArgumentException("transport=" + transport.impl.label() + " cannot carry TLS: "
                    + "the tls workload's Netty contender is NIO only");
        }
    }

    /** Application sender threads over plain TCP. */
    static NettyOptions of(NettyTransport transport, Mode mode) {
        return new NettyOptions(transport, mode, false, null);
    }

    /** A copy whose senders run on the event loop if {@code on}. */
    NettyOptions withEventLoopSender(boolean on) {
        return new NettyOptions(transport, mode, on, tls);
    }

    /** A copy over TLS with {@code tls}'s contexts. */
    NettyOptions withTls(BenchTls tls) {
        return new NettyOptions(transport, mode, eventLoopSender, Objects.requireNonNull(tls, "tls"));
    }
}
