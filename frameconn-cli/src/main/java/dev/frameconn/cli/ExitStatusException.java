package dev.frameconn.cli;

/**
 * Ends a command with {@link #status()} after the command has printed why.
 * {@link Main}'s execution-exception handler returns the status and prints
 * nothing more, so a shared helper that finds an error (unusable TLS files, a
 * metrics address in use) can report it in one place and stop its command,
 * which then needs no catch of its own. Anything else that escapes a command
 * stays an internal error.
 */
final class ExitStatusException extends RuntimeException {
    private final int status;

    /** {@code status}: one of {@link ExitCode}'s or {@link TransferExit}'s. */
    ExitStatusException(int status) {
        super("exit status " + status, null, false, false); // control flow, already reported: no trace
        this.status = status;
    }

    /** The exit status the command ends with. */
    int status() {
        return status;
    }
}
