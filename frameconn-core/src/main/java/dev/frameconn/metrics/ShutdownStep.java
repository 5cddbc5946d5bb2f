package dev.frameconn.metrics;

/**
 * The steps of a shutdown that can fail, named as in zrepl's metrics labels.
 * A failing step ends the shutdown with a hard close counted under its label;
 * a failing {@link #CLOSE} is counted as a close error. zrepl also labels
 * {@code disable_timeouts} and {@code set_deadline}, which can fail there (a
 * system call on the socket); here they only set the connection's own
 * timeout fields and cannot fail, so they have no step and no meter.
 */
public enum ShutdownStep {
    /** Sending the RST frame. */
    WRITE_FRAME("write_frame"),
    /** Half-closing the write side (TCP: FIN). */
    CLOSE_WRITE("close_write"),
    /**
     * Draining the read side to end of stream: the deadline or the byte bound
     * was reached first. Ours; the original bounds the drain by time only and
     * does not count it.
     */
    DRAIN("drain"),
    /** The final close. */
    CLOSE("close");

    private final String label;

    ShutdownStep(String label) {
        this.label = label;
    }

    /**
     * The metric label value, e.g. {@code write_frame}.
     *
     * @return the label value
     */
    public String label() {
        return label;
    }
}
