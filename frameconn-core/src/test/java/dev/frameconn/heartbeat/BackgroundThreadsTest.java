package dev.frameconn.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A heartbeat connection's threads (the first reader and the short-lived
 * ones) are listed while they run,
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
        threads.startShortLived(waitFor(release));
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
    void theFirstThreadIsJoinedWhileItRunsAndNotKeptOnceItEnded() throws Exception {
        // a reader that hands on to a successor ends long before its connection: it must not stay listed
        WeakFactory factory = new WeakFactory();
        CountDownLatch release = new CountDownLatch(1);
        BackgroundThreads threads = new BackgroundThreads(factory, waitFor(release));
        assertThat(threads.ended()).as("made, not started").isTrue();
        threads.start();
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
        assertThat(ended.get()).as("the ended first thread is no longer reachable from its connection's threads")
                .isNull();
        assertThat(threads).isNotNull(); // kept reachable to the end: what it lists is what is checked
    }

    @Test
    void aFirstThreadThatCannotStartIsNotListed() throws Exception {
        CountDownLatch releaseStranger = new CountDownLatch(1);
        Thread stranger = Thread.ofVirtual().start(waitFor(releaseStranger));
        try {
            BackgroundThreads threads = new BackgroundThreads(r -> stranger, () -> { });
            org.assertj.core.api.Assertions.assertThatThrownBy(threads::start)
                    .isInstanceOf(IllegalThreadStateException.class);
            assertThat(threads.ended()).as("the stranger, still running, is not listed").isTrue();
        } finally {
            releaseStranger.countDown();
            stranger.join();
        }
    }

    /** A task that waits for {@code release}. */
    private static Runnable waitFor(CountDownLatch release) {
        return () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void eachOfThreeRunningThreadsStaysListedUntilItEnds() throws Exception {
        List<Thread> made = new CopyOnWriteArrayList<>();
        List<Throwable> died = new CopyOnWriteArrayList<>();
        BackgroundThreads threads = new BackgroundThreads(r -> {
            Thread t = Thread.ofVirtual().uncaughtExceptionHandler((th, e) -> died.add(e)).unstarted(r);
            made.add(t);
            return t;
        });
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        CountDownLatch third = new CountDownLatch(1);
        threads.startShortLived(waitFor(first));
        threads.startShortLived(waitFor(second));
        threads.startShortLived(waitFor(third));
        assertThat(made).hasSize(3);
        // the middle one ends first, then the first: the third must still be listed each time
        second.countDown();
        made.get(1).join();
        assertThat(threads.ended()).as("first and third still run").isFalse();
        first.countDown();
        made.get(0).join();
        assertThat(threads.ended()).as("third still runs").isFalse();
        third.countDown();
        made.get(2).join();
        assertThat(threads.ended()).isTrue();
        assertThat(died).as("each thread took itself off the list without failing").isEmpty();
    }

    @Test
    void aTaskRunsOnceOnTheFactorysThread() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        BackgroundThreads threads = new BackgroundThreads(Thread.ofVirtual().factory());
        threads.startShortLived(runs::incrementAndGet);
        threads.join(10_000);
        assertThat(threads.ended()).isTrue();
        assertThat(runs).hasValue(1);
    }

    @Test
    void aThreadThatCannotStartIsNotListedAndAFallbackRunsTheTaskOnce() throws Exception {
        CountDownLatch releaseStranger = new CountDownLatch(1);
        // the factory hands back a thread already started on something else: start() refuses it
        Thread stranger = Thread.ofVirtual().start(waitFor(releaseStranger));
        try {
            BackgroundThreads threads = new BackgroundThreads(r -> stranger);
            AtomicInteger runs = new AtomicInteger();
            threads.startShortLived(runs::incrementAndGet);
            threads.join(10_000);
            assertThat(runs).as("run once, by the fallback").hasValue(1);
            assertThat(threads.ended()).as("the thread that did not start is not listed").isTrue();
        } finally {
            releaseStranger.countDown();
            stranger.join();
        }
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
