package dev.frameconn.cli;

/**
 * Exit statuses of {@code send} and {@code recv}, beyond the common ones of
 * {@link ExitCode}. Scripts may rely on them; each command lists them in its help.
 */
final class TransferExit {
    /** The stream arrived, was stored (recv) and confirmed with matching byte count and SHA-256. */
    static final int OK = ExitCode.OK;
    /** The transfer failed: the peer vanished, stalled, broke the protocol or reset; or verification failed. */
    static final int FAILED = ExitCode.FAILED;
    /** Bad command line. */
    static final int USAGE = ExitCode.USAGE;
    /** Could not connect or listen. */
    static final int UNAVAILABLE = ExitCode.UNAVAILABLE;
    /** The sending side's input failed while being read; its message reached the receiver. */
    static final int SOURCE_FAILED = 5;
    /** A local file could not be opened, written or renamed (recv's output, send's input). */
    static final int LOCAL_IO = 6;

    static final String OK_LINE = "0:the whole stream arrived, was stored and verified (byte count and SHA-256)";
    static final String FAILED_LINE = "1:the transfer failed: peer timed out or stalled, connection reset or "
            + "closed early, protocol error, or the receiver's confirmation did not match";
    static final String UNAVAILABLE_LINE = "4:cannot connect or listen (refused, unknown host, address in use)";
    static final String SOURCE_LINE = "5:the sender's input failed while being read; the receiver got its message";
    static final String LOCAL_IO_LINE = "6:a local file could not be opened, written or renamed";

    private TransferExit() {}
}
