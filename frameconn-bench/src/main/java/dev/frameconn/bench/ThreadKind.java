package dev.frameconn.bench;

/**
 * Which threads drive the blocking implementations (raw and frameconn): one
 * thread per sender and one per receiver. Netty's senders are application
 * threads of this kind too; its receivers and its I/O run on its event loops.
 */
public enum ThreadKind {
    /** Operating-system threads: the lowest latency for a handful of connections. */
    PLATFORM("platform"),
    /** Virtual threads: how blocking code serves many connections on few cores. */
    VIRTUAL("virtual");

    private final String label;

    ThreadKind(String label) {
        this.label = label;
    }

    /** The name in the table and in the JSON. */
    public String label() {
        return label;
    }

    /** Starts {@code task} on a new thread of this kind, named {@code name}. */
    public Thread start(String name, Runnable task) {
        return switch (this) {
            case PLATFORM -> Thread.ofPlatform().name(name).daemon().start(task);
            case VIRTUAL -> Thread.ofVirtual().name(name).start(task);
        };
    }

    /** The kind called {@code label}. */
    public static ThreadKind fromLabel(String label) {
        for (ThreadKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("threads=" + label + " is neither platform nor virtual");
    }
}
