package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketFilesTest {
    @TempDir
    Path dir;

    @Test
    void missingPathIsFine() throws IOException {
        Path path = dir.resolve("nothing.sock");
        assertThatCode(() -> UnixSocketFiles.removeIfStale(path)).doesNotThrowAnyException();
        assertThat(path).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void staleSocketIsRemoved() throws IOException {
        Path path = dir.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
        } // closing the channel leaves the file behind, as a crashed listener would
        assertThat(path).exists();
        assertThat(UnixSocketFiles.isSocket(path)).isTrue();
        UnixSocketFiles.removeIfStale(path);
        assertThat(path).doesNotExist();
    }

    @Test
    void liveSocketIsKept() throws IOException {
        Path path = dir.resolve("live.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            assertThatThrownBy(() -> UnixSocketFiles.removeIfStale(path))
                    .isInstanceOf(FileAlreadyExistsException.class)
                    .hasMessageContaining("a running listener accepts connections on this socket");
            assertThat(path).exists();
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Test
    void regularFileIsKept() throws IOException {
        Path path = Files.writeString(dir.resolve("precious.txt"), "data");
        assertThatThrownBy(() -> UnixSocketFiles.removeIfStale(path))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("exists and is not a socket; not removing it");
        assertThat(path).hasContent("data");
    }
}
