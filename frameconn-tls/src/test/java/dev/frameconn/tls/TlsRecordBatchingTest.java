package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The record layer's batching over real sockets: one read decrypts every whole
 * record that has arrived (as long as each fits the destination whole), records
 * cut anywhere by the network arrive intact, and frames spanning many records
 * go through reads of any size.
 */
@Timeout(120)
class TlsRecordBatchingTest {
    /** Plaintext per TLS record at most (RFC 8446 §5.1); the JDK's engine puts a little less in each. */
    private static final int RECORD = 16 << 10;

    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    private static void writeAll(TlsTransport t, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            t.write(b);
        }
    }

    @Test
    void oneReadDecryptsEveryWholeRecordThatArrived() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        byte[] sent = TlsFixtures.pattern(3 * RECORD, 7);
        // four records (the JDK's hold a little less than 16 KiB each) in one write call; on loopback
        // they are in the server's socket buffer once it returns
        writeAll(p.client().transport(), ByteBuffer.wrap(sent));
        ByteBuffer all = ByteBuffer.allocateDirect(1 << 20);
        assertThat(p.server().transport().read(all)).isEqualTo(sent.length);
        byte[] got = new byte[sent.length];
        all.flip().get(got);
        assertThat(got).isEqualTo(sent);
    }

    @Test
    void aReadDecryptsNoFurtherRecordThanFitsItsDestinationWhole() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        byte[] sent = TlsFixtures.pattern(3 * RECORD, 8);
        writeAll(p.client().transport(), ByteBuffer.wrap(sent));
        TlsTransport server = p.server().transport();
        // room for one and a half records: the second might not fit, so it stays encrypted for the next call
        ByteBuffer first = ByteBuffer.allocate(RECORD + RECORD / 2);
        int n = server.read(first);
        assertThat(n).isPositive().isLessThanOrEqualTo(RECORD);
        ByteBuffer rest = ByteBuffer.allocate(1 << 20);
        assertThat(server.read(rest)).isEqualTo(sent.length - n);
        byte[] got = new byte[sent.length];
        first.flip().get(got, 0, n);
        rest.flip().get(got, n, sent.length - n);
        assertThat(got).isEqualTo(sent);
    }

    @Test
    void aReadThatStartsWithWhatASmallDestinationLeftReturnsOnlyThat() throws Exception {
        TlsFixtures.TlsPair p = f.tlsPair();
        byte[] sent = TlsFixtures.pattern(3 * RECORD, 9);
        writeAll(p.client().transport(), ByteBuffer.wrap(sent));
        TlsTransport server = p.server().transport();
        ByteBuffer small = ByteBuffer.allocate(1000);
        assertThat(server.read(small)).isEqualTo(1000);
        ByteBuffer big = ByteBuffer.allocate(1 << 20);
        // the rest of the first record, kept in plaintext; the next records stay for the next call
        int restOfFirst = server.read(big);
        assertThat(restOfFirst).isPositive().isLessThan(RECORD - 1000 + 1);
        assertThat(server.read(big)).isEqualTo(sent.length - 1000 - restOfFirst);
        byte[] got = new byte[sent.length];
        small.flip().get(got, 0, 1000);
        big.flip().get(got, 1000, sent.length - 1000);
        assertThat(got).isEqualTo(sent);
    }

    @Test
    void recordsCutAnywhereByTheNetworkArriveWholeInReadsOfAnySize() throws Exception {
        long seed = System.nanoTime();
        System.out.println("recordsCutAnywhereByTheNetworkArriveWholeInReadsOfAnySize seed=" + seed);
        Random random = new Random(seed);
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(), f.config());
                Relay relay = new Relay((InetSocketAddress) server.localAddress(), seed)) {
            Future<TlsConnection> accepted = f.submit(server::accept);
            TlsConnection client = f.track(TlsFrameConn.connect(relay.address(), TlsFixtures.clientTls(), f.config()));
            TlsConnection serverSide = f.track(TlsFixtures.get(accepted));
            int length = 3 << 20;
            byte[] sent = TlsFixtures.pattern(length, 9);
            Future<Void> writes = f.submit(() -> {
                Random sizes = new Random(seed + 1);
                for (int at = 0; at < length; ) {
                    int n = Math.min(length - at, 1 + sizes.nextInt(100_000));
                    ByteBuffer b = sizes.nextBoolean() ? ByteBuffer.wrap(sent, at, n)
                            : ByteBuffer.allocateDirect(n).put(0, sent, at, n);
                    writeAll(client.transport(), b);
                    at += n;
                }
                client.transport().shutdownOutput();
                return null;
            });
            byte[] got = new byte[length];
            int at = 0;
            int calls = 0;
            while (true) {
                int room = 1 + random.nextInt(random.nextBoolean() ? 100 : 200_000);
                ByteBuffer dst = random.nextBoolean() ? ByteBuffer.allocate(room) : ByteBuffer.allocateDirect(room);
                int n = serverSide.transport().read(dst);
                if (n < 0) {
                    break;
                }
                calls++;
                assertThat(n).as("read %d (seed=%d)", calls, seed).isEqualTo(dst.position()).isLessThanOrEqualTo(length - at);
                dst.flip().get(got, at, n);
                at += n;
            }
            TlsFixtures.get(writes);
            assertThat(at).as("seed=%d", seed).isEqualTo(length);
            assertThat(got).as("seed=%d", seed).isEqualTo(sent);
            assertThat(relay.pieces()).as("the relay cut the stream into small pieces").isGreaterThan(1000);
        }
    }

    @Test
    void largeFramesSpanningManyRecordsCrossAChoppyNetwork() throws Exception {
        long seed = System.nanoTime();
        System.out.println("largeFramesSpanningManyRecordsCrossAChoppyNetwork seed=" + seed);
        int[] sizes = {0, 1, RECORD - 8, RECORD, RECORD + 1, 512 << 10, (4 << 20) + 5, 100_000};
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(), f.config());
                Relay relay = new Relay((InetSocketAddress) server.localAddress(), seed)) {
            Future<TlsConnection> accepted = f.submit(server::accept);
            FrameConn client = f.track(TlsFrameConn.connect(relay.address(), TlsFixtures.clientTls(), f.config()))
                    .conn();
            FrameConn serverSide = f.track(TlsFixtures.get(accepted)).conn();
            Future<Void> reads = f.submit(() -> {
                for (int i = 0; i < sizes.length; i++) {
                    try (Frame frame = serverSide.readFrame()) {
                        byte[] got = new byte[frame.length()];
                        frame.payload().get(got);
                        assertThat(got).as("frame %d (seed=%d)", i, seed).isEqualTo(TlsFixtures.pattern(sizes[i], i));
                    }
                }
                return null;
            });
            for (int i = 0; i < sizes.length; i++) {
                byte[] bytes = TlsFixtures.pattern(sizes[i], i);
                client.writeFrame(i + 1, ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
            }
            TlsFixtures.get(reads);
        }
    }

    /**
     * Accepts one connection and relays it to {@code target}: towards the
     * target in random pieces of 1 to 3,000 bytes, each a system call of its
     * own (TCP_NODELAY), so records are cut at random places; back unchanged.
     */
    private final class Relay implements AutoCloseable {
        private final ServerSocketChannel listener = ServerSocketChannel.open();
        private final Future<Void> running;
        private volatile SocketChannel in;
        private volatile SocketChannel out;
        private final AtomicLong pieces = new AtomicLong();

        Relay(InetSocketAddress target, long seed) throws IOException {
            listener.bind(TlsFixtures.loopback());
            running = f.submit(() -> {
                try (SocketChannel from = listener.accept(); SocketChannel to = SocketChannel.open(target)) {
                    in = from;
                    out = to;
                    to.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    from.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    Future<Void> back = f.submit(() -> copy(to, from, null));
                    copy(from, to, new Random(seed + 2));
                    TlsFixtures.get(back);
                }
                return null;
            });
        }

        private Void copy(SocketChannel from, SocketChannel to, Random cut) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(64 << 10);
            while (from.read(b) >= 0) {
                b.flip();
                while (b.hasRemaining()) {
                    int limit = b.limit();
                    if (cut != null) {
                        b.limit(Math.min(limit, b.position() + 1 + cut.nextInt(3000)));
                        pieces.incrementAndGet();
                    }
                    while (b.hasRemaining()) {
                        to.write(b);
                    }
                    b.limit(limit);
                }
                b.clear();
            }
            to.shutdownOutput();
            return null;
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) listener.getLocalAddress();
        }

        long pieces() {
            return pieces.get();
        }

        @Override
        public void close() throws Exception {
            listener.close();
            for (SocketChannel c : new SocketChannel[] {in, out}) {
                if (c != null) {
                    c.close();
                }
            }
            try {
                TlsFixtures.get(running);
            } catch (Exception ignored) {
                // closing the sockets under the relay ends it with an error; it has done its job by now
            }
        }
    }
}
