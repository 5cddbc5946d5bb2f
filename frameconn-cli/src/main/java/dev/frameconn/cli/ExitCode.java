package dev.frameconn.cli;

/**
 * The exit statuses of every {@code frameconn} command, in one place so that
 * the help texts and the code cannot drift apart. Scripts may rely on them.
 */
final class ExitCode {
    /** Everything held: clean shutdown handshakes, verified data. */
    static final int OK = 0;
    /** A connection ended badly (no clean shutdown handshake) or a verification failed. */
    static final int FAILED = 1;
    /** Bad command line: unknown option, bad address, duration or size (picocli's default). */
    static final int USAGE = 2;
    /** Bad input: a frame line on standard input that does not parse, or an unreadable @FILE. */
    static final int BAD_INPUT = 3;
    /** Could not connect or listen: refused, unknown host, address in use. */
    static final int UNAVAILABLE = 4;
    /** A bug in frameconn itself (an unexpected exception); the stack trace is printed. */
    static final int INTERNAL = 70;

    /** Heading for picocli's {@code exitCodeListHeading}. */
    static final String HEADING = "%nExit status:%n";
    /** The common part of every command's exit code list. */
    static final String OK_LINE = "0:success";
    static final String FAILED_LINE = "1:a connection ended without a clean shutdown handshake, or verification failed";
    static final String USAGE_LINE = "2:usage error: bad option, address, duration or size";
    static final String BAD_INPUT_LINE = "3:bad input line on standard input, or unreadable @FILE";
    static final String UNAVAILABLE_LINE = "4:cannot connect or listen (refused, unknown host, address in use)";
    static final String INTERNAL_LINE = "70:internal error (a bug: please report the stack trace)";

    private ExitCode() {}
}
