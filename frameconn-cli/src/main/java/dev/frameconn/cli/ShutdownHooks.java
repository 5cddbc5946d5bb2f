package dev.frameconn.cli;

/**
 * A command's JVM shutdown hook, for {@code frames listen} and {@code recv}:
 * registered while the command runs, so that SIGINT or SIGTERM still lets it
 * clean up (shut connections down, delete a partial file), and removed when the
 * command is done, so that a later signal does not act on what is gone.
 */
final class ShutdownHooks {
    private ShutdownHooks() {}

    /** Registers {@code action} to run on a thread called {@code name} when the JVM shuts down. */
    static Thread add(String name, Runnable action) {
        Thread hook = new Thread(action, name);
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Unregisters {@code hook}; does nothing once the JVM is shutting down (the hook is running or ran). */
    static void remove(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or ran: nothing to remove
        }
    }
}
