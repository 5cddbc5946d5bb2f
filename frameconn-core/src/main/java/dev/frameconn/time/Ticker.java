package dev.frameconn.time;

/**
 * A monotonic clock in nanoseconds, read by every timeout of a connection.
 *
 * <p>Production code uses {@link #system()}; tests inject a manual ticker so that
 * timing logic can be checked without sleeping. Values only make sense as
 * differences, like {@link System#nanoTime()}.
 */
@FunctionalInterface
public interface Ticker {
    /**
     * Current time in nanoseconds from an arbitrary, fixed origin.
     *
     * @return the current time in nanoseconds
     */
    long nanoTime();

    /**
     * The ticker backed by {@link System#nanoTime()}.
     *
     * @return the system ticker
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}
