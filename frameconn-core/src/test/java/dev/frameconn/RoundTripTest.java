package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.testkit.Fixtures;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SPEC §2, §3, §5: every size arrives intact, over TCP and Unix domain sockets. */
class RoundTripTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @ParameterizedTest
    @EnumSource(Fixtures.Kind.class)
    void everySizeFrom0To4KiB(Fixtures.Kind kind) throws Exception {
        Fixtures.Pair p = f.pair(kind);
        int last = 4096;
        Future<Integer> reader = f.threads.submit(() -> {
            for (int len = 0; len <= last; len++) {
                try (Frame frame = p.server().readFrame()) {
                    assertThat(frame.type()).isEqualTo(len);
                    assertThat(frame.length()).isEqualTo(len);
                    assertThat(frame.payload().position()).isZero();
                    assertThat(frame.payload().limit()).isEqualTo(len);
                    assertThat(frame.toByteArray()).isEqualTo(Fixtures.pattern(len, len));
                }
            }
            return last + 1;
        });
        for (int len = 0; len <= last; len++) {
            p.client().writeFrame(len, Fixtures.pattern(len, len));
        }
        assertThat(Fixtures.get(reader)).isEqualTo(4097);
    }

    @ParameterizedTest
    @EnumSource(Fixtures.Kind.class)
    void powersOfTwoUpToTheMaximum(Fixtures.Kind kind) throws Exception {
        Fixtures.Pair p = f.pair(kind);
        List<Integer> sizes = new ArrayList<>();
        for (int size = 1; size <= FrameConnConfig.DEFAULT_MAX_PAYLOAD_LENGTH; size <<= 1) {
            sizes.add(size - 1);
            sizes.add(size);
            if (size < FrameConnConfig.DEFAULT_MAX_PAYLOAD_LENGTH) {
                sizes.add(size + 1);
            }
        }
        Future<Void> reader = f.threads.submit(() -> {
            for (int i = 0; i < sizes.size(); i++) {
                try (Frame frame = p.server().readFrame()) {
                    assertThat(frame.length()).isEqualTo(sizes.get(i));
                    assertThat(frame.toByteArray()).isEqualTo(Fixtures.pattern(sizes.get(i), i));
                }
            }
            return null;
        });
        for (int i = 0; i < sizes.size(); i++) {
            // direct buffers on the way out, as callers of a zero-copy API would use them
            byte[] bytes = Fixtures.pattern(sizes.get(i), i);
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            p.client().writeFrame(7, direct);
            assertThat(direct.position()).as("payload position untouched").isZero();
            assertThat(direct.limit()).as("payload limit untouched").isEqualTo(bytes.length);
        }
        Fixtures.get(reader);
    }

    @ParameterizedTest
    @EnumSource(Fixtures.Kind.class)
    void bothDirectionsAtOnceThenShutdownHandshake(Fixtures.Kind kind) throws Exception {
        Fixtures.Pair p = f.pair(kind);
        int frames = 2000;
        Future<Integer> serverReads = f.threads.submit(() -> readAll(p.server(), frames));
        Future<Integer> clientReads = f.threads.submit(() -> readAll(p.client(), frames));
        Future<Void> serverWrites = f.threads.submit(() -> {
            writeAll(p.server(), frames);
            return null;
        });
        writeAll(p.client(), frames);
        Fixtures.get(serverWrites);
        assertThat(Fixtures.get(serverReads)).isEqualTo(frames);
        assertThat(Fixtures.get(clientReads)).isEqualTo(frames);
        Future<ShutdownResult> answer = f.threads.submit(() -> {
            try {
                p.server().readFrame().close();
                throw new AssertionError("expected the client's RST");
            } catch (ConnectionShutdownException e) {
                assertThat(e.byPeer()).isTrue();
            }
            return p.server().shutdown();
        });
        ShutdownResult client = p.client().shutdown();
        ShutdownResult server = Fixtures.get(answer);
        assertThat(client.clean()).as(client.toString()).isTrue();
        assertThat(client.peerInitiated()).isFalse();
        assertThat(server.clean()).as(server.toString()).isTrue();
        assertThat(server.peerInitiated()).isTrue();
    }

    private static void writeAll(FrameConn conn, int frames) throws Exception {
        for (int i = 0; i < frames; i++) {
            conn.writeFrame(i % 3, Fixtures.pattern(i * 37 % 20_000, i));
        }
    }

    private static int readAll(FrameConn conn, int frames) throws Exception {
        for (int i = 0; i < frames; i++) {
            try (Frame frame = conn.readFrame()) {
                assertThat(frame.type()).isEqualTo(i % 3);
                assertThat(frame.toByteArray()).isEqualTo(Fixtures.pattern(i * 37 % 20_000, i));
            }
        }
        return frames;
    }
}
