package dev.frameconn.cli;

import picocli.CommandLine.Command;

/**
 * {@code frameconn frames}: the frame-level netcat, for people debugging a
 * frameconn peer. Only groups its subcommands; run alone, picocli reports the
 * missing subcommand.
 */
@Command(
        name = "frames",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {ListenCommand.class, FramesSendCommand.class},
        synopsisSubcommandLabel = "(listen | send)",
        description = {
            "Frame-level netcat for debugging a frameconn peer.",
            "",
            "'listen' accepts connections and prints every frame it receives; 'send' sends frames "
                    + "described on standard input.",
            ""
        })
final class FramesCommand {}
