package dev.frameconn.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code frameconn} command: entry point of the command-line tool.
 *
 * <pre>
 *   frameconn demo                      server and client in one process, verified
 *   frameconn frames listen ADDRESS     print every frame received
 *   frameconn frames send ADDRESS       send frames described on standard input
 *   frameconn send ADDRESS              send a file or standard input as one verified stream
 *   frameconn recv --listen ADDRESS     receive one stream into a file or standard output
 * </pre>
 *
 * Exit statuses are those of {@link ExitCode}. A usage error prints one message
 * and a hint, not the whole help text.
 */
@Command(
        name = "frameconn",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {DemoCommand.class, FramesCommand.class, SendCommand.class, RecvCommand.class,
            CommandLine.HelpCommand.class},
        synopsisSubcommandLabel = "COMMAND",
        description = {"Typed frames over a byte stream, wire-compatible with zrepl's frameconn.", ""},
        exitCodeListHeading = ExitCode.HEADING,
        exitCodeList = {
            ExitCode.OK_LINE,
            ExitCode.FAILED_LINE,
            ExitCode.USAGE_LINE,
            ExitCode.BAD_INPUT_LINE,
            ExitCode.UNAVAILABLE_LINE,
            ExitCode.INTERNAL_LINE
        })
public final class Main {
    private Main() {}

    /** Runs the tool and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool on standard output and error; returns the exit status instead of exiting. */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        try {
            return cli.execute(args);
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
    }

    /**
     * The configured command tree: short usage errors, a reported failure
     * ({@link ExitStatusException}) as its status, internal errors as status 70.
     */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ExitStatusException reported) {
                return reported.status(); // the command printed why already
            }
            PrintWriter err = commandLine.getErr();
            err.println(commandLine.getCommandSpec().qualifiedName() + ": internal error: " + e);
            e.printStackTrace(err);
            err.flush();
            return ExitCode.INTERNAL;
        });
        return cli;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter err = failed.getErr();
        String name = failed.getCommandSpec().qualifiedName();
        if (e.getMessage().startsWith("Missing required subcommand")) {
            // a command group run alone: the list of its commands is the useful answer
            failed.usage(err);
            err.flush();
            return ExitCode.USAGE;
        }
        err.println(name + ": " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + name + " --help' for more information.");
        err.flush();
        return ExitCode.USAGE;
    }

    /** The version: from the jar's manifest when there is one. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"frameconn " + (version == null ? "(development build)" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
