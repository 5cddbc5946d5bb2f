package dev.frameconn.internal;

import dev.frameconn.time.Ticker;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when a test says so; each test has its own, so its own timer queue. */
final class ManualClock implements Ticker {
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);

    @Override
    public long nanoTime() {
        return now.get();
    }

    void advance(long nanos) {
        now.addAndGet(nanos);
    }

    void set(long nanos) {
        now.set(nanos);
    }
}
