package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.testkit.Fixtures;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link FrameConnConfig#socketBufferSize()}: set on TCP sockets before the handshake, or left to the kernel. */
@Timeout(60)
class SocketBufferTest {
    private static final int SIZE = 256 << 10;

    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void zeroLeavesTheKernelsSizesAlone() throws Exception {
        try (SocketChannel plain = SocketChannel.open(); SocketChannel applied = SocketChannel.open()) {
            FrameConnConfig.defaults().applySocketBuffers(applied);
            assertThat(applied.getOption(StandardSocketOptions.SO_RCVBUF))
                    .isEqualTo(plain.getOption(StandardSocketOptions.SO_RCVBUF));
            assertThat(applied.getOption(StandardSocketOptions.SO_SNDBUF))
                    .isEqualTo(plain.getOption(StandardSocketOptions.SO_SNDBUF));
        }
    }

    @Test
    void aSizeIsSetOnBothDirectionsAndOnAListenersReceiveSide() throws Exception {
        FrameConnConfig config = FrameConnConfig.defaults().withSocketBufferSize(SIZE);
        try (SocketChannel channel = SocketChannel.open(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            config.applySocketBuffers(channel);
            config.applySocketBuffers(listener); // has no SO_SNDBUF: must not fail
            // Linux doubles the value for its own bookkeeping; other kernels may round
            assertThat(channel.getOption(StandardSocketOptions.SO_RCVBUF)).isGreaterThanOrEqualTo(SIZE);
            assertThat(channel.getOption(StandardSocketOptions.SO_SNDBUF)).isGreaterThanOrEqualTo(SIZE);
            assertThat(listener.getOption(StandardSocketOptions.SO_RCVBUF)).isGreaterThanOrEqualTo(SIZE);
        }
    }

    @Test
    void connectingAndAcceptingSetTheSizeOnTheConnectionsSockets() throws Exception {
        // smaller than any kernel default, so "changed" needs no equality with the (rounded) value asked
        FrameConnConfig small = f.config().withSocketBufferSize(4096);
        Fixtures.Pair fixed = f.pair(Fixtures.Kind.TCP, small, small);
        Fixtures.Pair automatic = f.pair(Fixtures.Kind.TCP, f.config(), f.config());
        SocketChannel connected = TransportTest.channelOf(fixed.client());
        SocketChannel connectedByDefault = TransportTest.channelOf(automatic.client());
        assertThat(connected.getOption(StandardSocketOptions.SO_RCVBUF)).as("connect: receive buffer")
                .isLessThan(connectedByDefault.getOption(StandardSocketOptions.SO_RCVBUF));
        assertThat(connected.getOption(StandardSocketOptions.SO_SNDBUF)).as("connect: send buffer")
                .isLessThan(connectedByDefault.getOption(StandardSocketOptions.SO_SNDBUF));
        // the accepted socket inherits the listener's receive buffer, not its send buffer: accept sets that
        assertThat(TransportTest.channelOf(fixed.server()).getOption(StandardSocketOptions.SO_SNDBUF))
                .as("accept: send buffer")
                .isLessThan(TransportTest.channelOf(automatic.server()).getOption(StandardSocketOptions.SO_SNDBUF));
    }

    @Test
    void negativeSizesAreRejected() {
        assertThatThrownBy(() -> FrameConnConfig.defaults().withSocketBufferSize(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("socketBufferSize=-1 must be >= 0");
        assertThat(FrameConnConfig.defaults().socketBufferSize()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Fixtures.Kind.class)
    void connectionsWithFixedBuffersCarryFramesBothWays(Fixtures.Kind kind) throws Exception {
        // a payload several times the buffers: the writer must wait for the reader through them
        FrameConnConfig config = f.config().withSocketBufferSize(64 << 10);
        Fixtures.Pair pair = f.pair(kind, config, config);
        byte[] payload = Fixtures.pattern(1 << 20, 7);
        var reading = f.submit(() -> {
            try (Frame frame = pair.server().readFrame()) {
                byte[] got = new byte[frame.length()];
                frame.payload().get(got);
                return got;
            }
        });
        pair.client().writeFrame(5, ByteBuffer.wrap(payload));
        assertThat(Fixtures.get(reading)).isEqualTo(payload);
        pair.server().writeFrame(6, ByteBuffer.wrap(payload, 0, 100));
        try (Frame back = pair.client().readFrame()) {
            assertThat(back.type()).isEqualTo(6);
            assertThat(back.length()).isEqualTo(100);
        }
    }

    @Test
    void anAcceptedConnectionTakesNoMoreThanItsFixedBuffersHold() throws Exception {
        long fixed = bytesAcceptedWithoutReading(FrameConnConfig.defaults().withSocketBufferSize(4096));
        long automatic = bytesAcceptedWithoutReading(FrameConnConfig.defaults());
        // a sender can only fill the receiver's buffer and its own; the kernel's default receive buffer is larger
        assertThat(fixed * 2).as("fixed=%d automatic=%d", fixed, automatic).isLessThan(automatic);
    }

    /** What a raw client with a small send buffer can write to a connection of {@code config} that never reads. */
    private long bytesAcceptedWithoutReading(FrameConnConfig config) throws Exception {
        try (FrameServer server = FrameServer.bind(Fixtures.loopback(), config.withBufferPool(f.pool));
                SocketChannel client = SocketChannel.open()) {
            client.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            var accepting = f.submit(server::accept);
            client.connect(server.localAddress());
            FrameConn accepted = f.track(Fixtures.get(accepting));
            client.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
            long total = 0;
            int zeros = 0;
            while (zeros < 3) { // loopback delivers inside write(): a full pipe answers 0 at once
                chunk.clear();
                int n = client.write(chunk);
                total += n;
                zeros = n == 0 ? zeros + 1 : 0;
            }
            accepted.close();
            return total;
        }
    }
}
