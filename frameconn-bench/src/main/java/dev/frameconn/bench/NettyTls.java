package dev.frameconn.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;

/**
 * TLS for the Netty contender of the tls workload: an {@link SslHandler} first
 * in each pipeline, the client's handshake awaited before the round, and the
 * orderly end of a sender's stream. Every method does nothing on a contender
 * without TLS ({@code tls} null), so the plain paths call them unconditionally.
 *
 * <p>The sender ends its stream as frameconn-tls does: close_notify, then FIN,
 * then it reads until the receiver closes, and only then closes. Closing at
 * once would not do: the server sends its TLS 1.3 session ticket only after it
 * has checked the client's certificate, which a cold JVM may finish after a
 * short round; a client socket closed with that ticket unread (or receiving it
 * afterwards) answers with RST, which throws away the frames still in its send
 * buffer, and the receiver's read fails with "Connection reset".
 */
// close() follows a failure already entered in the ledger; the channel is gone either way
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyTls {
    private NettyTls() {}

    /** Adds the server's SslHandler first, if {@code tls}. */
    static void server(BenchTls tls, Channel ch) {
        if (tls != null) {
            ch.pipeline().addFirst(tls.nettyServer.newHandler(ch.alloc()));
        }
    }

    /** Adds the client's SslHandler first (host name checked), if {@code tls}. */
    static void client(BenchTls tls, Channel ch, int port) {
        if (tls != null) {
            ch.pipeline().addFirst(tls.nettyClient.newHandler(ch.alloc(), BenchTls.HOST, port));
        }
    }

    /** Waits for the client's TLS handshake, if {@code tls}, so that the round does not time it. */
    static void awaitHandshake(BenchTls tls, Channel client) throws Exception {
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
    static void endStream(Channel ch, Ledger ledger) {
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
}
