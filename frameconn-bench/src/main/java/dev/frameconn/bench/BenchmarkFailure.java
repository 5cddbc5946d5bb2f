package dev.frameconn.bench;

/**
 * The benchmark cannot vouch for its figures: a receiver got other frames or
 * bytes than were sent, a round did not finish in time, or an implementation
 * threw. The run stops and says which.
 */
public final class BenchmarkFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}. */
    public BenchmarkFailure(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public BenchmarkFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
