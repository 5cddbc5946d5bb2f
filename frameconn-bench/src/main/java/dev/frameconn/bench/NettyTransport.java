package dev.frameconn.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.Version;
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.TimeUnit;

/**
 * One Netty transport (NIO or epoll) set up as its users set it up: an event
 * loop group of the default size for the servers and another for the clients,
 * default channel options, and the chosen allocator. Shared by the per-frame
 * and batch contenders of that transport; closed once at the end of the run.
 */
final class NettyTransport implements AutoCloseable {
    /** Allocator names accepted by {@code --netty-allocator}. */
    static final String POOLED = "pooled";
    /** Netty 4.2's default allocator. */
    static final String ADAPTIVE = "adaptive";

    final Impl impl;
    final EventLoopGroup serverGroup;
    final EventLoopGroup clientGroup;
    final Class<? extends ServerChannel> serverChannel;
    final Class<? extends Channel> clientChannel;
    final ByteBufAllocator allocator;
    final String allocatorName;

    private NettyTransport(Impl impl, String allocatorName) {
        this.impl = impl;
        this.allocatorName = allocatorName;
        this.allocator = allocator(allocatorName);
        IoHandlerFactory factory;
        if (impl == Impl.NETTY_EPOLL) {
            factory = EpollIoHandler.newFactory();
            serverChannel = EpollServerSocketChannel.class;
            clientChannel = EpollSocketChannel.class;
        } else if (impl == Impl.NETTY_NIO) {
            factory = NioIoHandler.newFactory();
            serverChannel = NioServerSocketChannel.class;
            clientChannel = NioSocketChannel.class;
        } else {
            throw new IllegalArgumentException("impl=" + impl.label() + " is not a Netty transport");
        }
        serverGroup = new MultiThreadIoEventLoopGroup(factory);
        clientGroup = new MultiThreadIoEventLoopGroup(factory);
    }

    /** Opens the event loops of {@code impl}, which must be {@link Impl#NETTY_NIO} or {@link Impl#NETTY_EPOLL}. */
    static NettyTransport open(Impl impl, String allocatorName) {
        return new NettyTransport(impl, allocatorName);
    }

    private static ByteBufAllocator allocator(String name) {
        return switch (name) {
            case POOLED -> PooledByteBufAllocator.DEFAULT;
            case ADAPTIVE -> new AdaptiveByteBufAllocator(PlatformDependent.directBufferPreferred());
            default -> throw new IllegalArgumentException("netty-allocator=" + name + " is neither pooled nor adaptive");
        };
    }

    /** Null if native epoll can be used here, else why not. */
    static String epollUnavailable() {
        if (Epoll.isAvailable()) {
            return null;
        }
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? "unknown reason" : cause.toString();
    }

    /** Netty's version and whether its fast paths are on, for the machine description. */
    static String describe(String allocatorName) {
        Version version = Version.identify().get("netty-transport");
        return "Netty " + (version == null ? "?" : version.artifactVersion())
                + ", allocator=" + allocatorName
                + ", unsafe=" + PlatformDependent.hasUnsafe()
                + ", directBufferPreferred=" + PlatformDependent.directBufferPreferred()
                + ", epoll=" + (epollUnavailable() == null ? "available" : "unavailable");
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // the termination futures below are what we wait on
    public void close() {
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        serverGroup.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
        clientGroup.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
