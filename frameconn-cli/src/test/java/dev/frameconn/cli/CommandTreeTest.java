package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@link Main#commandLine(String...)} builds only the subcommand a run needs
 * (start-up time); what it prints and returns must not differ in any byte
 * from the whole tree's answer. Compared on help and usage errors, which
 * touch neither network nor files.
 */
class CommandTreeTest {
    /** What one run printed, and its status. */
    private record Run(int status, String out, String err) {}

    private static Run run(CommandLine cli, String[] args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "--help", "-h", "help", "help send", "help frames listen", "--version", "-V", "--version send",
        "send", "send --help", "send -h", "send --version", "send --bogus x", "send 127.0.0.1:1 --bogus",
        "send 127.0.0.1:1 --peer-timeout 1s --heartbeat-interval 2s", "send 127.0.0.1:notaport",
        "recv", "recv --help", "recv --listen 127.0.0.1:0 --metrics unix:/x", "demo --help", "demo --bytes xx",
        "frames", "frames --help", "frames listen --help", "frames send --help", "frames lis", "bogus", "sen",
        "-x", "send recv", "recv send"
    })
    void theTreeForOneRunAnswersAsTheWholeTree(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        Run whole = run(Main.commandLine(), args);
        Run lazy = run(Main.commandLine(args), args);
        assertThat(lazy).isEqualTo(whole);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--version", "-V"})
    void versionWithoutPicocliPrintsWhatPicocliPrints(String option) {
        assertThat(Main.isVersionOnly(new String[] {option})).isTrue();
        StringWriter direct = new StringWriter();
        PrintWriter out = new PrintWriter(direct);
        Main.printVersion(out);
        out.flush();
        assertThat(direct.toString()).isEqualTo(run(Main.commandLine(), new String[] {option}).out());
        assertThat(Main.isVersionOnly(new String[] {option, "send"})).isFalse();
        assertThat(Main.isVersionOnly(new String[] {"send", option})).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"send", "recv", "demo", "frames"})
    void aSubcommandRunBuildsOnlyThatSubcommand(String name) {
        assertThat(Main.commandLine(name, "--help").getSubcommands()).containsOnlyKeys(name);
        assertThat(Main.commandLine().getSubcommands())
                .containsOnlyKeys("demo", "frames", "send", "recv", "help");
    }
}
