package dev.frameconn.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Netty's frames are byte for byte the frames every other contender sends
 * ({@link Wire#rawFrame}, made by frameconn's own header encoding), and its
 * receiving side splits and checks them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyFramesTest {

    @Test
    void aWrittenFrameIsTheWireFrameByteForByte() {
        for (int payload : new int[] {0, 1, 64, 4096}) {
            NettyFrames frames = new NettyFrames(PooledByteBufAllocator.DEFAULT, payload);
            EmbeddedChannel ch = new EmbeddedChannel();
            try {
                frames.write(ch, ch.alloc(), true);
                ByteBuf written = Unpooled.buffer();
                ByteBuf part;
                while ((part = ch.readOutbound()) != null) {
                    written.writeBytes(part);
                    part.release();
                }
                ByteBuffer expected = Wire.rawFrame(payload);
                byte[] want = new byte[expected.remaining()];
                expected.get(want);
                assertThat(ByteBufUtil.getBytes(written)).as("payload=" + payload).isEqualTo(want);
                written.release();
            } finally {
                ch.finishAndReleaseAll();
                frames.release();
            }
        }
    }

    @Test
    void theDecoderSplitsWireFramesAndTheCheckRefusesAnotherTypeOrLength() {
        NettyFrames frames = new NettyFrames(PooledByteBufAllocator.DEFAULT, 100);
        EmbeddedChannel ch = new EmbeddedChannel(NettyFrames.decoder());
        try {
            ByteBuffer two = Wire.rawBlock(100).limit(2 * Wire.frameLength(100));
            ch.writeInbound(Unpooled.wrappedBuffer(two));
            for (int i = 0; i < 2; i++) {
                ByteBuf frame = ch.readInbound();
                assertThat(frame.readableBytes()).isEqualTo(Wire.frameLength(100));
                assertThat(NettyFrames.type(frame)).isEqualTo(Wire.TYPE);
                assertThat(frames.matches(frame)).isTrue();
                frame.setInt(frame.readerIndex(), Wire.TYPE + 1);
                assertThat(frames.matches(frame)).isFalse();
                frame.release();
            }
            assertThat((Object) ch.readInbound()).isNull();
            ByteBuf shorter = Unpooled.wrappedBuffer(Wire.rawFrame(99));
            assertThat(frames.matches(shorter)).isFalse();
        } finally {
            ch.finishAndReleaseAll();
            frames.release();
        }
    }
}
