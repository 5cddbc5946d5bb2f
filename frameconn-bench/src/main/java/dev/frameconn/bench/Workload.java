package dev.frameconn.bench;

/** The workloads of the benchmark; {@link #label()} is the JSON name. */
public enum Workload {
    /** One connection, frames of one payload size in one direction. */
    ONE_WAY("one-way"),
    /** Request/response with 64-byte frames: round-trip latency. */
    PING_PONG("ping-pong"),
    /** Many connections at once, each one sender and one receiver. */
    CONNECTIONS("connections"),
    /** Many idle frameconn connections, each with a virtual thread in readFrame: memory per connection. */
    IDLE("idle"),
    /**
     * One connection over TLS 1.3 with mutual authentication, 64 KiB and 512 KiB
     * frames one way: frameconn-tls beside Netty NIO with SslHandler (JDK provider).
     */
    TLS("tls"),
    /**
     * One file moved between two processes over loopback: {@code frameconn send/recv} (plain, pipe, TLS)
     * beside nc, socat and mbuffer, plus the stream layer in one JVM. See {@link TransferWorkload}.
     */
    TRANSFER("transfer");

    private final String label;

    Workload(String label) {
        this.label = label;
    }

    /** The name in the JSON and on the command line. */
    public String label() {
        return label;
    }

    /** The workload called {@code label}. */
    public static Workload fromLabel(String label) {
        for (Workload workload : values()) {
            if (workload.label.equals(label)) {
                return workload;
            }
        }
        throw new IllegalArgumentException("workload=" + label
                + " is none of one-way, ping-pong, connections, idle, tls, transfer");
    }
}
