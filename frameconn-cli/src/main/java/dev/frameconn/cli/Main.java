package dev.frameconn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
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
        // subcommands: added by commandLine(args), only the one a run needs
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
        if (isVersionOnly(args)) {
            // what picocli prints for it, without loading picocli: a third of a second on a busy machine
            PrintWriter out = new PrintWriter(System.out, false, System.out.charset());
            printVersion(out);
            out.flush();
            return ExitCode.OK;
        }
        CommandLine cli = commandLine(args);
        try {
            return cli.execute(args);
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
    }

    /** The whole configured command tree, every subcommand in help order. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The configured command tree for running {@code args}: short usage errors,
     * a reported failure ({@link ExitStatusException}) as its status, internal
     * errors as status 70.
     *
     * <p>Picocli reflects over every option of every command it is given, which
     * costs more start-up time than the whole connection set-up. So when
     * {@code args} start with a subcommand's exact name, only that subcommand is
     * added: picocli then parses and reports exactly as with the whole tree,
     * since it never looks at a sibling once it has entered a subcommand.
     * {@code --version} alone needs none. Anything else ({@code help}, options,
     * unknown words, nothing) gets the whole tree, in help order.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new Main());
        String first = args.length == 0 ? null : args[0];
        boolean versionOnly = isVersionOnly(args);
        boolean single = first != null && SUBCOMMANDS.contains(first);
        if (!versionOnly) {
            for (String name : SUBCOMMANDS) {
                if (!single || name.equals(first)) {
                    cli.addSubcommand(name, newSubcommand(name));
                }
            }
            if (!single) {
                cli.addSubcommand("help", new CommandLine.HelpCommand());
            }
        }
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

    /** True for exactly {@code --version} or {@code -V}: a run that needs no subcommand. */
    static boolean isVersionOnly(String[] args) {
        return args.length == 1 && ("--version".equals(args[0]) || "-V".equals(args[0]));
    }

    /** Prints the version lines as picocli's version help does (no markup in them, so no ANSI either). */
    static void printVersion(PrintWriter out) {
        for (String line : new Version().getVersion()) {
            out.println(line);
        }
    }

    /** The subcommands other than help, in the order the help lists them. */
    private static final List<String> SUBCOMMANDS = List.of("demo", "frames", "send", "recv");

    private static Object newSubcommand(String name) {
        return switch (name) {
            case "demo" -> new DemoCommand();
            case "frames" -> new FramesCommand();
            case "send" -> new SendCommand();
            case "recv" -> new RecvCommand();
            default -> throw new IllegalArgumentException("name=" + name);
        };
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

    /**
     * The version: the project version the build wrote into
     * {@code version.properties}, and the commit it wrote into {@code commit.txt}
     * ({@code git describe}: the short hash, "-dirty" when the tree had
     * uncommitted changes); "commit unknown" when it was built without git.
     * The Java line names the runtime actually in use.
     */
    static final class Version implements IVersionProvider {
        private static final java.util.regex.Pattern COMMIT =
                java.util.regex.Pattern.compile("[0-9a-f]{7,40}(-dirty)?");

        @Override
        public String[] getVersion() {
            Properties build = new Properties();
            String commit = null;
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    build.load(in);
                }
            } catch (IOException e) {
                // an unreadable resource is a broken jar; the line then says "development build"
            }
            try (InputStream in = Main.class.getResourceAsStream("commit.txt")) {
                if (in != null) {
                    commit = new String(in.readNBytes(200), java.nio.charset.StandardCharsets.US_ASCII);
                }
            } catch (IOException e) {
                // as if built without git
            }
            return new String[] {versionLine(build.getProperty("version"), commit),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }

        /**
         * {@code frameconn VERSION (commit HASH[-dirty])}; a version the build did
         * not fill in is "(development build)", and anything but a commit as git
         * describes it (missing, an error message) is "commit unknown".
         */
        static String versionLine(String version, String commit) {
            String v = version == null || version.isBlank() || version.contains("${") ? null : version.strip();
            String c = commit == null ? null : commit.strip();
            return "frameconn " + (v == null ? "(development build)" : v)
                    + (c != null && COMMIT.matcher(c).matches() ? " (commit " + c + ")" : " (commit unknown)");
        }
    }
}
