package dev.frameconn.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the benchmark starts another JVM running its own classes: the same java
 * executable, the same JVM options (heap, direct memory, Unsafe access) and
 * the same class path, so that the child measures under the parent's settings.
 * Used by the pinned ping-pong ({@link PinnedChild}) and the far end of the
 * idle connections ({@link IdleServer}).
 */
final class ChildJvm {
    private ChildJvm() {}

    /** The command line that runs {@code mainClass}'s main method in a new JVM; append its arguments. */
    static List<String> command(Class<?> mainClass) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        boolean nativeAccess = false;
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-agentlib:jdwp") || arg.startsWith("-Xrunjdwp")) {
                continue; // a second debugger agent would fight over the port
            }
            nativeAccess |= arg.startsWith("--enable-native-access");
            command.add(arg);
        }
        if (!nativeAccess) {
            // the manifest grants it to the jar when run with -jar; the child runs with -cp
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        return command;
    }
}
