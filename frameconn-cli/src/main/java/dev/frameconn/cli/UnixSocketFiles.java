package dev.frameconn.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Clears the way for a Unix domain socket listener. A listener that died
 * without closing leaves its socket file behind, and binding to an existing
 * path fails; but deleting whatever is at the path would be dangerous (a typo
 * could name a real file, and a live listener would silently lose its address).
 * So a file is removed only if it is a socket and nobody accepts connections
 * on it.
 */
final class UnixSocketFiles {
    /** File type bits of {@code st_mode}, and the value that means "socket" (S_IFSOCK). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketFiles() {}

    /**
     * Deletes {@code path} if it is a stale socket; does nothing if it does not exist.
     *
     * @throws FileAlreadyExistsException if the path is not a socket, or a live
     *         listener answers on it (the message says which)
     * @throws IOException if the file cannot be examined or deleted
     */
    static void removeIfStale(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new FileAlreadyExistsException(path.toString(), null,
                    "exists and is not a socket; not removing it");
        }
        if (isLive(path)) {
            throw new FileAlreadyExistsException(path.toString(), null,
                    "a running listener accepts connections on this socket");
        }
        Files.deleteIfExists(path);
    }

    /** True if the file at {@code path} (not following links) is a socket. */
    static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no "unix" attribute view on this platform: cannot tell, so never delete
            return false;
        }
    }

    private static boolean isLive(Path path) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            return false; // refused: the socket has no listener
        }
    }
}
