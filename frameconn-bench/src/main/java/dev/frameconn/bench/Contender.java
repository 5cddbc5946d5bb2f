package dev.frameconn.bench;

/**
 * One implementation in one mode: the unit that rounds interleave. Each call
 * sets up fresh loopback connections, runs one timed, checked round and tears
 * the connections down again; setup is not timed.
 */
public interface Contender extends AutoCloseable {
    /** The implementation. */
    Impl impl();

    /** The mode. */
    Mode mode();

    /**
     * Which threads drive its transfers when {@code requested} is asked for, for
     * the record: "platform", "virtual", or for Netty "platform+event-loop"
     * (application sender threads of that kind, I/O on the event loops).
     */
    String threads(ThreadKind requested);

    /** Which threads drive its ping-pong, for the record. */
    default String pingPongThreads() {
        return threads(ThreadKind.PLATFORM);
    }

    /**
     * Sends {@code payload}-byte frames one way over {@code connections}
     * connections for the {@code round}'s time or budget, each connection with
     * its own sender and receiver. A round object serves one call.
     *
     * @throws BenchmarkFailure if any receiver's counts disagree with its sender's
     */
    TransferResult transfer(int payload, int connections, Round round, ThreadKind threads) throws Exception;

    /** True if this contender takes part in the throughput workloads (one-way, connections, tls). */
    default boolean transfers() {
        return true;
    }

    /** True if this contender takes part in ping-pong (the per-frame modes and raw). */
    boolean pingPongs();

    /**
     * Sends a {@code payload}-byte frame, waits for the peer to echo it, and
     * repeats for {@code durationNanos}; one connection.
     */
    PingPongResult pingPong(int payload, long durationNanos) throws Exception;

    /** The label used in progress messages: {@code impl mode}. */
    default String name() {
        return impl().label() + " " + mode().label();
    }

    /** Releases event loops and cached buffers. */
    @Override
    void close();
}
