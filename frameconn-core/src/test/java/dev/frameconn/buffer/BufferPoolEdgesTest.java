package dev.frameconn.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BufferPool} at its edges: the smallest and largest class are pooled like the others,
 * every constructor bound admits its edge and refuses one past it, a class keeps one free
 * buffer however small its byte budget unless it may keep none, and the shared pool is the
 * documented one.
 */
@Timeout(10)
class BufferPoolEdgesTest {
    @Test
    void theSmallestAndTheLargestClassArePooled() {
        BufferPool pool = new BufferPool(6, 8, 2, 1 << 20, false);
        assertThat(pool.minClassSize()).isEqualTo(64);
        assertThat(pool.maxClassSize()).isEqualTo(256);
        for (int length : new int[] {1, 64, 256}) {
            ByteBuffer b = pool.acquire(length);
            pool.release(b);
            assertThat(pool.acquire(length)).as("length %d", length).isSameAs(b);
            pool.release(b);
        }
        assertThat(pool.allocations()).isEqualTo(2); // one for the 64 B class, one for the 256 B class
        assertThat(pool.acquire(257).isDirect()).as("above the largest class").isFalse();
    }

    @Test
    void foreignBuffersJustOutsideTheClassesAreDroppedByAnUncheckedPool() {
        BufferPool pool = new BufferPool(6, 8, 2, 1 << 20, false);
        pool.release(ByteBuffer.allocateDirect(32)); // 2^5, below the smallest class
        pool.release(ByteBuffer.allocateDirect(512)); // 2^9, above the largest
        pool.release(ByteBuffer.allocate(64)); // right size, but on the heap
        assertThat(pool.retainedBytes()).isZero();
        pool.release(ByteBuffer.allocateDirect(64)); // fits: an unchecked pool takes it
        assertThat(pool.retainedBytes()).isEqualTo(64);
    }

    @Test
    void everyConstructorBoundAdmitsItsEdge() {
        assertThat(new BufferPool(3, 3, 0, 0, false).minClassSize()).isEqualTo(8);
        assertThat(new BufferPool(30, 30, 0, 0, false).maxClassSize()).isEqualTo(1 << 30);
        assertThat(new BufferPool(7, 7, 0, 0, false).maxClassSize()).isEqualTo(128);
    }

    @Test
    void everyConstructorBoundRefusesOnePastItsEdge() {
        assertThatThrownBy(() -> new BufferPool(2, 10, 1, 1, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minShift=2 must be in 3..30");
        assertThatThrownBy(() -> new BufferPool(31, 31, 1, 1, false)).hasMessage("minShift=31 must be in 3..30");
        assertThatThrownBy(() -> new BufferPool(10, 9, 1, 1, false)).hasMessage("maxShift=9 must be in minShift=10..30");
        assertThatThrownBy(() -> new BufferPool(10, 31, 1, 1, false))
                .hasMessage("maxShift=31 must be in minShift=10..30");
        assertThatThrownBy(() -> new BufferPool(6, 10, -1, 1, false)).hasMessage("maxFreePerClass=-1 must be >= 0");
        assertThatThrownBy(() -> new BufferPool(6, 10, 1, -1, false))
                .hasMessage("maxFreeBytesPerClass=-1 must be >= 0");
    }

    @Test
    void aClassKeepsOneFreeBufferWhateverItsByteBudgetUnlessItMayKeepNone() {
        BufferPool budgetless = new BufferPool(6, 8, 4, 0, false);
        ByteBuffer a = budgetless.acquire(100);
        ByteBuffer b = budgetless.acquire(100);
        budgetless.release(a);
        budgetless.release(b);
        assertThat(budgetless.retainedBytes()).isEqualTo(128);

        BufferPool keepsNone = new BufferPool(6, 8, 0, 1 << 20, false);
        keepsNone.release(keepsNone.acquire(100));
        assertThat(keepsNone.retainedBytes()).isZero();
        keepsNone.acquire(100);
        assertThat(keepsNone.allocations()).isEqualTo(2);
    }

    @Test
    void theSharedPoolIsOneDefaultPool() {
        BufferPool shared = BufferPool.shared();
        assertThat(shared).isNotNull().isSameAs(BufferPool.shared());
        assertThat(shared.minClassSize()).isEqualTo(1 << BufferPool.DEFAULT_MIN_SHIFT).isEqualTo(64);
        assertThat(shared.maxClassSize()).isEqualTo(1 << BufferPool.DEFAULT_MAX_SHIFT).isEqualTo(16 << 20);
    }

    @Test
    void toStringShowsClassesOutstandingAndRetained() {
        BufferPool pool = new BufferPool(6, 8, 2, 1 << 20, false);
        ByteBuffer held = pool.acquire(10);
        pool.release(pool.acquire(200));
        assertThat(pool.toString()).isEqualTo("BufferPool[classes=64..256, outstanding=1, retainedBytes=256]");
        pool.release(held);
    }
}
