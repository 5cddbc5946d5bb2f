package dev.frameconn.bench;

/**
 * How a sender hands frames over. {@link #PER_FRAME}: one call per frame that
 * returns when the frame is with the operating system (frameconn
 * {@code writeFrame}, Netty {@code writeAndFlush}). {@link #BATCH}: many frames
 * per flush (frameconn's batch API, Netty's flush every 64 frames, and the raw
 * socket's 1 MiB writes).
 */
public enum Mode {
    /** One write-and-flush per frame. */
    PER_FRAME("per-frame"),
    /** Frames grouped per flush. */
    BATCH("batch"),
    /**
     * frameconn's opt-in spinning reader ({@link dev.frameconn.FrameConnConfig#withReadSpin}) at
     * both ends, per-frame writes: ping-pong only, unpinned only (spinning on one shared CPU only
     * delays the thread it waits for).
     */
    SPIN("spin");

    private final String label;

    Mode(String label) {
        this.label = label;
    }

    /** The name in the table and in the JSON. */
    public String label() {
        return label;
    }

    /** The mode called {@code label}. */
    public static Mode fromLabel(String label) {
        for (Mode mode : values()) {
            if (mode.label.equals(label)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("mode=" + label + " is neither per-frame nor batch");
    }
}
