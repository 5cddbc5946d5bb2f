package dev.frameconn.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC §5: power-of-two classes, bounded free lists, out-of-class requests. */
class BufferPoolTest {
    private final BufferPool pool = new BufferPool(6, 12, 4, 1L << 20);

    @Test
    void bufferShowsExactlyTheRequestedLength() {
        for (int length : new int[] {1, 63, 64, 65, 1000, 4096}) {
            ByteBuffer b = pool.acquire(length);
            assertThat(b.position()).isZero();
            assertThat(b.limit()).isEqualTo(length);
            assertThat(b.remaining()).isEqualTo(length);
            assertThat(b.isDirect()).isTrue();
            pool.release(b);
        }
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void requestsRoundUpToTheNextPowerOfTwoAndSmallOnesToTheSmallestClass() {
        assertThat(pool.acquire(1).capacity()).isEqualTo(64);
        assertThat(pool.acquire(64).capacity()).isEqualTo(64);
        assertThat(pool.acquire(65).capacity()).isEqualTo(128);
        assertThat(pool.acquire(4096).capacity()).isEqualTo(4096);
        assertThat(pool.acquire(2049).capacity()).isEqualTo(4096);
    }

    @Test
    void releasedBuffersAreReusedLastInFirstOut() {
        ByteBuffer a = pool.acquire(100);
        pool.release(a);
        ByteBuffer b = pool.acquire(120);
        assertThat(b).isSameAs(a);
        assertThat(b.limit()).isEqualTo(120);
        assertThat(pool.allocations()).isEqualTo(1);
    }

    @Test
    void freeListsAreBounded() {
        List<ByteBuffer> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            held.add(pool.acquire(256));
        }
        held.forEach(pool::release);
        assertThat(pool.retainedBytes()).isEqualTo(4 * 256);
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void freeBytesPerClassBoundTheLargeClasses() {
        BufferPool tight = new BufferPool(6, 20, 16, 1 << 20);
        List<ByteBuffer> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(tight.acquire(1 << 20));
            held.add(tight.acquire(1 << 18));
        }
        held.forEach(tight::release);
        // 1 MiB class keeps one buffer, 256 KiB class keeps three (4 would fit, 3 were released)
        assertThat(tight.retainedBytes()).isEqualTo((1 << 20) + 3 * (1 << 18));
    }

    @Test
    void requestsAboveTheLargestClassAreHeapAllocatedAndDropped() {
        ByteBuffer big = pool.acquire(5000);
        assertThat(big.isDirect()).isFalse();
        assertThat(big.capacity()).isEqualTo(5000);
        pool.release(big);
        assertThat(pool.retainedBytes()).isZero();
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void emptyRequestsCostNothing() {
        ByteBuffer a = pool.acquire(0);
        ByteBuffer b = pool.acquire(0);
        assertThat(a).isSameAs(b);
        assertThat(a.remaining()).isZero();
        pool.release(a);
        assertThat(pool.outstanding()).isZero();
        assertThat(pool.allocations()).isZero();
    }

    @Test
    void uncheckedPoolDropsForeignBuffersThatFitNoClass() {
        BufferPool unchecked = new BufferPool(6, 12, 4, 1L << 20, false);
        assertThat(unchecked.isChecked()).isFalse();
        unchecked.acquire(10);
        unchecked.release(ByteBuffer.allocateDirect(100)); // not a power of two
        assertThat(unchecked.retainedBytes()).isZero();
    }

    // ---- ownership: a double or foreign release must not give one buffer two owners

    @Test
    void theSuiteRunsWithCheckedPools() {
        // surefire sets -Ddev.frameconn.leakDetection=true; pools made then check every release
        assertThat(dev.frameconn.LeakDetector.isEnabled()).isTrue();
        assertThat(pool.isChecked()).isTrue();
    }

    @Test
    void doubleReleaseIsRefusedAndChangesNothing() {
        ByteBuffer a = pool.acquire(100);
        ByteBuffer other = pool.acquire(100);
        pool.release(a);
        assertThatThrownBy(() -> pool.release(a)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("buffer=").hasMessageContaining("released twice")
                .hasMessageContaining("pool=");
        assertThat(pool.outstanding()).isEqualTo(1);
        // the buffer is in the free list once: two acquires give two different buffers
        ByteBuffer b = pool.acquire(100);
        ByteBuffer c = pool.acquire(100);
        assertThat(b).isNotSameAs(c);
        pool.release(b);
        pool.release(c);
        pool.release(other);
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void doubleReleaseAfterTheBufferWasLentAgainIsCaughtAtTheLaterRelease() {
        ByteBuffer a = pool.acquire(100);
        pool.release(a);
        ByteBuffer again = pool.acquire(100); // the same buffer, a new owner
        assertThat(again).isSameAs(a);
        pool.release(a); // the old owner's stale release: indistinguishable from the new owner's
        assertThatThrownBy(() -> pool.release(again)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released twice");
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void doubleReleaseIntoTheFreeListIsRefused() {
        ByteBuffer a = pool.acquire(100);
        pool.release(a);
        assertThatThrownBy(() -> pool.release(a)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released twice").hasMessageContaining("cap=128");
        assertThat(pool.outstanding()).isZero();
        assertThat(pool.acquire(100)).isNotSameAs(pool.acquire(100));
    }

    @Test
    void foreignBufferIsRefused() {
        ByteBuffer mine = pool.acquire(64);
        for (ByteBuffer foreign : new ByteBuffer[] {
                ByteBuffer.allocateDirect(64), // fits a class exactly
                ByteBuffer.allocateDirect(100), // fits none
                ByteBuffer.allocate(64), // heap
                new BufferPool(6, 12, 4, 1L << 20).acquire(64)}) { // another pool's
            assertThatThrownBy(() -> pool.release(foreign)).as("%s", foreign)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is not lent by pool=").hasMessageContaining("foreign");
        }
        assertThat(pool.outstanding()).isEqualTo(1);
        assertThat(pool.retainedBytes()).isZero();
        pool.release(mine);
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void slicesAndDuplicatesOfAPooledBufferAreRefused() {
        ByteBuffer a = pool.acquire(128);
        // a duplicate has the same capacity, so it would otherwise be pooled next to the original
        assertThatThrownBy(() -> pool.release(a.duplicate())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cap=128");
        assertThatThrownBy(() -> pool.release(a.slice(0, 64))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cap=64");
        assertThatThrownBy(() -> pool.release(a.asReadOnlyBuffer())).isInstanceOf(IllegalStateException.class);
        assertThat(pool.outstanding()).isEqualTo(1);
        assertThat(pool.retainedBytes()).isZero();
        pool.release(a);
        assertThat(pool.outstanding()).isZero();
    }

    @Test
    void oversizedBuffersAreDroppedOnReleaseAndTheirDoubleReleaseRefused() {
        ByteBuffer big = pool.acquire(5000);
        assertThat(pool.outstanding()).isEqualTo(1);
        pool.release(big);
        assertThat(pool.outstanding()).isZero();
        assertThat(pool.retainedBytes()).isZero();
        assertThatThrownBy(() -> pool.release(big)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("direct=false");
        assertThat(pool.outstanding()).isZero();
        assertThat(pool.acquire(5000)).isNotSameAs(big);
    }

    @Test
    void invalidArgumentsSayWhatIsWrong() {
        assertThatThrownBy(() -> pool.acquire(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length=-1");
        assertThatThrownBy(() -> new BufferPool(2, 10, 1, 1)).hasMessageContaining("minShift=2");
        assertThatThrownBy(() -> new BufferPool(10, 9, 1, 1)).hasMessageContaining("maxShift=9");
        assertThatThrownBy(() -> new BufferPool(6, 10, -1, 1)).hasMessageContaining("maxFreePerClass=-1");
    }

    @Test
    void concurrentUseNeverHandsOneBufferToTwoOwners() throws Exception {
        BufferPool shared = new BufferPool(6, 10, 8, 1 << 20);
        // by identity: ByteBuffer.equals compares contents
        java.util.Set<ByteBuffer> inUse = java.util.Collections.synchronizedSet(
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(threads.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        ByteBuffer b = shared.acquire(1 + i % 1000);
                        assertThat(inUse.add(b)).as("buffer owned twice").isTrue();
                        inUse.remove(b);
                        shared.release(b);
                    }
                    return null;
                }));
            }
            for (var task : tasks) {
                task.get();
            }
        }
        assertThat(shared.outstanding()).isZero();
    }
}
