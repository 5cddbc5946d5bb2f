package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.buffer.BufferPool;
import dev.frameconn.wire.FrameHeader;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link Frame} without a connection: what it shows, that closing gives its buffer back once,
 * and when a closed frame offers itself for reuse (only untracked frames do).
 */
@Timeout(10)
class FrameOwnershipTest {
    private final BufferPool pool = new BufferPool(6, 10, 4, 1 << 20, true);

    @AfterEach
    void leakDetectionBackOnAndNothingOutstanding() {
        LeakDetector.enable(); // the suite runs with it on
        assertThat(pool.outstanding()).as("buffers outstanding").isZero();
    }

    private ByteBuffer payload(int... bytes) {
        ByteBuffer b = pool.acquire(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            b.put(i, (byte) bytes[i]);
        }
        return b;
    }

    @Test
    void anOpenFrameShowsItsTypeLengthAndPayload() {
        Frame frame = new Frame(pool, null).fill(0x2a, payload(1, 2, 3));
        assertThat(frame.type()).isEqualTo(0x2a);
        assertThat(frame.length()).isEqualTo(3);
        assertThat(frame.isOpen()).isTrue();
        assertThat(frame.toString()).isEqualTo("Frame[type=0x0000002a, length=3]");
        frame.payload().get(); // a relative read moves the position...
        assertThat(frame.toByteArray()).containsExactly(1, 2, 3); // ...but the copy is the whole payload
        assertThat(frame.payload().position()).isEqualTo(1);
        frame.close();
    }

    @Test
    void closingGivesTheBufferBackOnceAndThePayloadIsGone() {
        Frame frame = new Frame(pool, null).fill(7, payload(9, 9));
        assertThat(pool.outstanding()).isEqualTo(1);
        frame.close();
        assertThat(pool.outstanding()).isZero();
        assertThat(frame.isOpen()).isFalse();
        assertThat(frame.toString()).isEqualTo("Frame[type=0x00000007, length=2, closed]");
        assertThatThrownBy(frame::payload).isInstanceOf(IllegalStateException.class)
                .hasMessage("frame closed: type=0x00000007 length=2");
        frame.close(); // harmless: the checked pool would refuse a second release
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void anUntrackedClosedFrameOffersItselfForReuse() {
        LeakDetector.disable();
        AtomicReference<Frame> recycler = new AtomicReference<>();
        Frame frame = new Frame(pool, recycler).fill(1, payload(5));
        frame.close();
        assertThat(recycler.get()).isSameAs(frame);
        Frame again = recycler.getAndSet(null).fill(2, payload(6, 7));
        assertThat(again.type()).isEqualTo(2);
        assertThat(again.toByteArray()).containsExactly(6, 7);
        again.close();
    }

    @Test
    void aClosedFrameDoesNotDisplaceOneWaitingForReuse() {
        LeakDetector.disable();
        AtomicReference<Frame> recycler = new AtomicReference<>();
        Frame first = new Frame(pool, recycler).fill(1, payload(1));
        Frame second = new Frame(pool, recycler).fill(1, payload(2));
        first.close();
        second.close();
        assertThat(recycler.get()).isSameAs(first);
    }

    @Test
    void aTrackedFrameIsNeverReused() {
        LeakDetector.enable();
        AtomicReference<Frame> recycler = new AtomicReference<>();
        Frame frame = new Frame(pool, recycler).fill(1, payload(5));
        frame.close();
        assertThat(recycler.get()).isNull();
    }

    @Test
    void aBatchRefusesReservedTypesAndNullPayloads() {
        FrameBatch batch = new FrameBatch();
        assertThatThrownBy(() -> batch.add(0x1000_0000, ByteBuffer.allocate(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("type=0x10000000 uses reserved bits 28..31; application types are 0x00000000..0x0fffffff");
        assertThatThrownBy(() -> batch.add(1, null)).isInstanceOf(NullPointerException.class).hasMessage("payload");
        assertThat(batch.isEmpty()).isTrue();
        assertThat(batch.size()).isZero();
    }

    @Test
    void aBatchGrowsPastItsCapacityKeepingOrderAndClearForgetsThePayloads() {
        FrameBatch batch = new FrameBatch(1);
        ByteBuffer[] payloads = new ByteBuffer[5];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = ByteBuffer.allocate(i);
            assertThat(batch.add(FrameHeader.MAX_APPLICATION_TYPE - i, payloads[i])).isSameAs(batch);
        }
        assertThat(batch.size()).isEqualTo(5);
        assertThat(batch.isEmpty()).isFalse();
        for (int i = 0; i < payloads.length; i++) {
            assertThat(batch.type(i)).isEqualTo(FrameHeader.MAX_APPLICATION_TYPE - i);
            assertThat(batch.payload(i)).isSameAs(payloads[i]);
        }
        batch.clear();
        assertThat(batch.size()).isZero();
        assertThat(batch.isEmpty()).isTrue();
        for (int i = 0; i < payloads.length; i++) {
            assertThat(batch.payload(i)).as("reference %d dropped", i).isNull();
        }
    }

    @Test
    void aBatchNeedsRoomForAFrame() {
        assertThatThrownBy(() -> new FrameBatch(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity=0 must be >= 1");
        assertThat(new FrameBatch(1).add(0, ByteBuffer.allocate(1)).size()).isEqualTo(1);
    }
}
