package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A heartbeat connection's short-lived threads are listed while they run,
 * so that close and shutdown wait for them, and forgotten once they end: an
 * ended thread kept until the next heartbeat would keep its stack, a cost on
 * every idle connection.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BackgroundThreadsTest {
    /** Makes virtual threads and remembers only the last one, weakly. */
    private static final class WeakFactory implements ThreadFactory {
        volatile WeakReference<Thread> last = new WeakReference<>(null);

        @Override
        public Thread newThread(Runnable r) {
            Thread t = Thread.ofVirtual().unstarted(r);
            last = new WeakReference<>(t);
            return t;
        }
    }

    @Test
    void aRunningShortLivedThreadIsJoinedAndAnEndedOneIsNotKept() throws Exception {
        WeakFactory factory = new WeakFactory();
        BackgroundThreads threads = new BackgroundThreads(factory);
        CountDownLatch release = new CountDownLatch(1);
        threads.startShortLived(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(threads.ended()).as("listed while it runs").isFalse();
        release.countDown();
        threads.join(10_000);
        assertThat(threads.ended()).isTrue();
        WeakReference<Thread> ended = factory.last;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ended.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(ended.get()).as("the ended thread is no longer reachable from its connection's threads")
                .isNull();
        assertThat(threads).isNotNull(); // kept reachable to the end: what it lists is what is checked
    }

    @Test
    void aSecondThreadWhileTheFirstRunsIsListedToo() throws Exception {
        BackgroundThreads threads = new BackgroundThreads(Thread.ofVirtual().factory());
        CountDownLatch release = new CountDownLatch(1);
        Runnable wait = () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        threads.startShortLived(wait);
        threads.startShortLived(wait);
        threads.startShortLived(() -> { }); // ends at once, its slot is given back
        release.countDown();
        threads.join(10_000);
        assertThat(threads.ended()).isTrue();
    }

    @Test
    void aFactoryThatFailsLeavesTheTaskToAFallbackThread() throws Exception {
        BackgroundThreads threads = new BackgroundThreads(r -> {
            throw new IllegalStateException("no threads today");
        });
        CountDownLatch ran = new CountDownLatch(1);
        threads.startShortLived(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        threads.join(10_000);
        assertThat(threads.ended()).isTrue();
    }
}
