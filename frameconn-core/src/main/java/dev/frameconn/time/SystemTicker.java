package dev.frameconn.time;

/** {@link Ticker} over {@link System#nanoTime()}; one instance, so callers can recognise it. */
enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
