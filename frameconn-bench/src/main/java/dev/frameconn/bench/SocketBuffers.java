package dev.frameconn.bench;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;

/**
 * The run's socket buffer size ({@code --socket-buffer}), the same for every
 * contender: 0 leaves the kernel's autotuning on; otherwise SO_SNDBUF and
 * SO_RCVBUF of every TCP socket the contenders open, set before connecting or
 * listening. One process runs one benchmark, so the setting is process-wide.
 */
final class SocketBuffers {
    private static volatile int size;

    private SocketBuffers() {
    }

    /** Sets the run's size; 0 for the kernel's choice. */
    static void set(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes=" + bytes + " must be >= 0");
        }
        size = bytes;
    }

    /** The run's size, 0 for the kernel's choice. */
    static int size() {
        return size;
    }

    /** Applies the size to {@code channel} (SO_SNDBUF only where it has one); nothing if it is 0. */
    static void apply(NetworkChannel channel) throws IOException {
        int n = size;
        if (n == 0) {
            return;
        }
        channel.setOption(StandardSocketOptions.SO_RCVBUF, n);
        if (channel.supportedOptions().contains(StandardSocketOptions.SO_SNDBUF)) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, n);
        }
    }
}
