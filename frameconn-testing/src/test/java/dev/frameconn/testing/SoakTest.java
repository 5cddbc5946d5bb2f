package dev.frameconn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.ShutdownResult;
import dev.frameconn.buffer.BufferPool;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many connections, both directions, several writer threads per direction,
 * random frame sizes from 0 to 4 MiB, for a configurable time
 * ({@code -Dsoak.duration=PT5M}; default {@code PT10S}). Then:
 * <ul>
 *   <li>per connection, direction and writer, the frames arrived complete, in
 *       order, none lost or duplicated (the type carries the writer and the low
 *       20 bits of its sequence number, checked frame by frame), and the
 *       SHA-256 of what was written equals the SHA-256 of what was read; the
 *       per-direction digest (over the writers' digests) matches too;</li>
 *   <li>every connection shut down cleanly on both sides;</li>
 *   <li>no pooled buffer, socket descriptor or thread is left (the harness).</li>
 * </ul>
 * Payloads are slices of one random 8 MiB tape at offsets derived from
 * (connection, direction, writer, sequence), so writers need no memory of
 * their own. Other knobs: {@code soak.connections} (64), {@code soak.writers}
 * (writer threads per direction, 2).
 */
// -Dsoak.duration=PT5M or longer must not be cut by the module's 60 s default; the test bounds
// itself at soak.duration + 2 min (see soak()), and this only stops a hang of days
@Timeout(value = 1, unit = java.util.concurrent.TimeUnit.DAYS)
class SoakTest {
    private static final int MAX_FRAME = 4 << 20;
    private static final int TAPE = 2 * MAX_FRAME;
    /** Marks the end of a direction: the largest application type, writer field 255. */
    private static final int END = 0x0FFF_FFFF;
    private static final int SEQ_BITS = 20;
    private static final int SEQ_MASK = (1 << SEQ_BITS) - 1;

    private final Duration duration = Duration.parse(System.getProperty("soak.duration", "PT10S"));
    private final int connections = Integer.getInteger("soak.connections", 64);
    private final int writers = Integer.getInteger("soak.writers", 2);
    private final ByteBuffer tape = randomTape();

    /** What one writer sent or what one reader received from one writer. */
    record Tally(long frames, long bytes, String sha256) {}

    /** One direction of one connection as its reader saw it. */
    record Received(List<Tally> perWriter) {}

    @Test
    void soak() throws Exception {
        assertThat(writers).as("soak.writers").isBetween(1, 254);
        BufferPool pool = new BufferPool(6, 24, 8, 32L << 20);
        try (Harness h = new Harness()) {
            FrameConnConfig config = h.config().withBufferPool(pool).withIdleTimeout(Duration.ofSeconds(60))
                    .withShutdownTimeout(Duration.ofSeconds(60));
            FrameServer server = h.track(FrameServer.bind(Harness.loopback(), config));
            List<FrameConn[]> pairs = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                Future<FrameConn> accepted = h.submit(server::accept);
                FrameConn client = h.track(FrameConn.connect(server.localAddress(), config));
                pairs.add(new FrameConn[] {client, h.track(Harness.get(accepted))});
            }
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            // per connection and side: writers, the reader of the other side's frames, the ending
            List<List<Future<Tally>>> sent = new ArrayList<>();
            List<Future<Received>> received = new ArrayList<>();
            List<Future<ShutdownResult>> shutdowns = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                for (int side = 0; side < 2; side++) {
                    FrameConn conn = pairs.get(c)[side];
                    List<Future<Tally>> mine = new ArrayList<>();
                    for (int w = 0; w < writers; w++) {
                        int connection = c;
                        int direction = side;
                        int writer = w;
                        mine.add(h.submit(() -> write(conn, connection, direction, writer, end)));
                    }
                    sent.add(mine);
                    Future<Received> reader = h.submit(() -> read(conn));
                    received.add(reader);
                    boolean client = side == 0;
                    shutdowns.add(h.submit(() -> finish(conn, mine, reader, client)));
                }
            }
            Duration bound = duration.plus(Duration.ofMinutes(2));
            long frames = 0;
            long bytes = 0;
            for (int i = 0; i < sent.size(); i++) {
                // direction i is written by side i % 2 of connection i / 2 and read by the other side
                int reader = i % 2 == 0 ? i + 1 : i - 1;
                String where = "connection=" + i / 2 + " direction=" + (i % 2 == 0 ? "client->server" : "server->client");
                List<Tally> wrote = new ArrayList<>();
                for (Future<Tally> f : sent.get(i)) {
                    wrote.add(Harness.get(f, bound));
                }
                Received got = Harness.get(received.get(reader), bound);
                assertThat(got.perWriter()).as("per-writer frames, bytes and SHA-256, %s", where).isEqualTo(wrote);
                assertThat(directionDigest(got.perWriter())).as(where).isEqualTo(directionDigest(wrote));
                for (Tally t : wrote) {
                    frames += t.frames();
                    bytes += t.bytes();
                }
            }
            for (int i = 0; i < shutdowns.size(); i++) {
                ShutdownResult r = Harness.get(shutdowns.get(i), bound);
                assertThat(r.clean()).as("shutdown of connection=%d side=%s: %s", i / 2,
                        i % 2 == 0 ? "client" : "server", r).isTrue();
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("SoakTest: %d connections, %d writers per direction, %s: %d frames, %d bytes"
                    + " (%.1f MiB), %.1f MiB/s, %.0f frames/s, took %s%n", connections, writers, duration, frames,
                    bytes, bytes / 1048576.0, bytes / 1048576.0 / (took.toNanos() / 1e9),
                    frames / (took.toNanos() / 1e9), took);
            for (FrameConn[] pair : pairs) {
                pair[0].close();
                pair[1].close();
            }
            // buffers now; sockets and threads when the harness closes the server
            ShutdownRaceTest.awaitReturned(pool, Duration.ofSeconds(10));
            assertThat(pool.outstanding()).as("buffers outstanding after the soak: %s", pool).isZero();
        }
    }

    /** One writer: random sizes until the end time; returns what it sent. */
    private Tally write(FrameConn conn, int connection, int direction, int writer, long end) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(seed(connection, direction, writer));
        long seq = 0;
        long bytes = 0;
        while (System.nanoTime() - end < 0) {
            int length = frameSize(random);
            int offset = random.nextInt(TAPE - MAX_FRAME);
            ByteBuffer payload = tape.slice(offset, length);
            sha.update(payload.duplicate());
            conn.writeFrame(writer << SEQ_BITS | (int) (seq & SEQ_MASK), payload);
            seq++;
            bytes += length;
        }
        return new Tally(seq, bytes, HexFormat.of().formatHex(sha.digest()));
    }

    /** The reader of one direction: checks order per writer and hashes until END. */
    private Received read(FrameConn conn) throws Exception {
        MessageDigest[] sha = new MessageDigest[writers];
        long[] frames = new long[writers];
        long[] bytes = new long[writers];
        for (int w = 0; w < writers; w++) {
            sha[w] = MessageDigest.getInstance("SHA-256");
        }
        while (true) {
            try (Frame frame = conn.readFrame()) {
                if (frame.type() == END) {
                    break;
                }
                int writer = frame.type() >>> SEQ_BITS;
                int seq = frame.type() & SEQ_MASK;
                if (writer >= writers) {
                    throw new AssertionError("frame from writer=" + writer + ": corrupted type " + frame);
                }
                if (seq != (frames[writer] & SEQ_MASK)) {
                    throw new AssertionError("writer=" + writer + " frame " + frames[writer] + " carries seq=" + seq
                            + ": a frame was " + (seq < (frames[writer] & SEQ_MASK) ? "duplicated" : "lost"));
                }
                sha[writer].update(frame.payload());
                frames[writer]++;
                bytes[writer] += frame.length();
            }
        }
        List<Tally> out = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            out.add(new Tally(frames[w], bytes[w], HexFormat.of().formatHex(sha[w].digest())));
        }
        return new Received(out);
    }

    /**
     * After this side's writers are done: END, then, once the other side's END
     * arrived, the handshake: the client shuts down, the server answers the
     * client's RST with its own shutdown.
     */
    private static ShutdownResult finish(FrameConn conn, List<Future<Tally>> writers, Future<Received> reader,
            boolean client) throws Exception {
        for (Future<Tally> w : writers) {
            Harness.get(w, Duration.ofDays(1));
        }
        conn.writeEmptyFrame(END);
        Harness.get(reader, Duration.ofDays(1));
        if (!client) {
            try (Frame unexpected = conn.readFrame()) {
                throw new AssertionError("frame after END: " + unexpected);
            } catch (ConnectionShutdownException expected) {
                // the client's RST
            }
        }
        return conn.shutdown();
    }

    private static String directionDigest(List<Tally> tallies) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Tally t : tallies) {
            sha.update(HexFormat.of().parseHex(t.sha256()));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** 0 and 4 MiB now and then; otherwise half uniform over 0..4 MiB, half log-uniform (many small). */
    private static int frameSize(SplittableRandom random) {
        int pick = random.nextInt(32);
        if (pick == 0) {
            return 0;
        }
        if (pick == 1) {
            return MAX_FRAME;
        }
        if (pick < 17) {
            return random.nextInt(MAX_FRAME + 1);
        }
        return random.nextInt(1 << random.nextInt(23)) ;
    }

    private static long seed(int connection, int direction, int writer) {
        return ((long) connection << 32) ^ ((long) direction << 16) ^ writer ^ 0x5DEECE66DL;
    }

    private static ByteBuffer randomTape() {
        ByteBuffer tape = ByteBuffer.allocateDirect(TAPE);
        SplittableRandom random = new SplittableRandom(42);
        while (tape.hasRemaining()) {
            tape.putLong(random.nextLong());
        }
        return tape.clear();
    }
}
