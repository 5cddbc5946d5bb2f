package dev.frameconn.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.ConnectionBrokenException;
import dev.frameconn.ConnectionResetException;
import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.ShutdownResult;
import dev.frameconn.TruncatedFrameException;
import dev.frameconn.testkit.Fixtures;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Shutdown and close racing {@code readFrame} and {@code writeFrame} on other
 * threads, over real TCP, many times with random delays and random
 * interleavings: every call ends (nothing hangs), with a result or with one of
 * the exceptions its documentation lists; frames that do arrive are intact; a
 * shutdown that nobody cut short is clean; no pooled buffer is left behind.
 */
class ShutdownRaceTest {
    private static final int ITERATIONS = 200;
    private static final Duration BOUND = Duration.ofSeconds(20);

    /** How this side ends the connection while its reader and writer run. */
    enum Ending { SHUTDOWN, CLOSE, SHUTDOWN_CUT_BY_CLOSE, TWO_SHUTDOWNS }

    /** Exceptions our side's reader and writer may end with: a local shutdown or close. */
    private static final Set<Class<?>> LOCAL_ENDINGS = Set.of(ConnectionShutdownException.class);
    /**
     * Exceptions the peer's reader and writer may end with: our RST (shutdown),
     * or, after our close, end of stream, a frame cut short, or a reset. A
     * writer whose small frame was staged and written by another thread's
     * failing write sees that failure as {@link ConnectionBrokenException}
     * (with one of these as its cause) on its next call, as documented.
     */
    private static final Set<Class<?>> PEER_ENDINGS = Set.of(ConnectionShutdownException.class,
            EndOfStreamException.class, TruncatedFrameException.class, ConnectionResetException.class);

    @Test
    void shutdownAndCloseRacingReadersAndWriters() throws Exception {
        // replay a failure with -Dseed=<the printed seed> (or the older -Drace.seed=)
        long seed = Long.getLong("seed", Long.getLong("race.seed", System.nanoTime()));
        System.out.println("ShutdownRaceTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, AtomicLong> outcomes = new TreeMap<>();
        long maxLateNanos = 0;
        try (Harness h = new Harness()) {
            // the writers race at full speed: a reader that lags behind our RST lets the peer send
            // far more than the default drain bound; this test is about the race, not that bound
            FrameConnConfig config = h.config().withShutdownTimeout(Duration.ofSeconds(5)).withDrainLimit(4L << 30);
            for (int i = 0; i < ITERATIONS; i++) {
                Ending ending = Ending.values()[random.nextInt(Ending.values().length)];
                long delayNanos = random.nextLong(TimeUnit.MILLISECONDS.toNanos(3));
                String iteration = "seed=" + seed + " iteration=" + i + " ending=" + ending
                        + " delayNanos=" + delayNanos;
                runOnce(h, config, ending, delayNanos, random.split(), iteration, outcomes);
                // a background flusher may still be failing its last write: buffers return shortly after close
                long lateNanos = awaitReturned(h.pool, Duration.ofSeconds(5));
                assertThat(h.pool.outstanding()).as("buffers outstanding 5 s after %s", iteration).isZero();
                maxLateNanos = Math.max(maxLateNanos, lateNanos);
            }
        } finally {
            System.out.println("ShutdownRaceTest outcomes over " + ITERATIONS + " iterations: " + outcomes
                    + "; buffers came back at most " + maxLateNanos / 1000 + " µs after close");
        }
    }

    private static void runOnce(Harness h, FrameConnConfig config, Ending ending, long delayNanos,
            SplittableRandom random, String iteration, Map<String, AtomicLong> outcomes) throws Exception {
        Fixtures.Pair p = h.pair(Harness.Kind.TCP, config, config);
        FrameConn ours = p.client();
        FrameConn peer = p.server();
        CountDownLatch go = new CountDownLatch(1);
        long seedWriter = random.nextLong();
        Future<String> ourReader = h.submit(() -> readUntilFailure(ours, go));
        Future<String> ourWriter = h.submit(() -> writeUntilFailure(ours, go, seedWriter));
        Future<String> peerReader = h.submit(() -> {
            String how = readUntilFailure(peer, go);
            if (how.contains(ConnectionShutdownException.class.getSimpleName())) {
                // the peer side of the handshake: it read our RST, so it shuts down too
                ShutdownResult r = peer.shutdown();
                return how + " / peer shutdown clean=" + r.clean();
            }
            peer.close();
            return how + " / peer closed";
        });
        Future<String> peerWriter = h.submit(() -> writeUntilFailure(peer, go, seedWriter + 1));
        go.countDown();
        LockSupport.parkNanos(delayNanos);
        Map<String, ShutdownResult> results = new HashMap<>(); // this thread only
        switch (ending) {
            case SHUTDOWN -> results.put("shutdown", ours.shutdown());
            case CLOSE -> ours.close();
            case SHUTDOWN_CUT_BY_CLOSE -> {
                Future<ShutdownResult> shutdown = h.submit(ours::shutdown);
                LockSupport.parkNanos(random.nextLong(TimeUnit.MILLISECONDS.toNanos(2)));
                ours.close();
                results.put("shutdown", Harness.get(shutdown, BOUND));
            }
            case TWO_SHUTDOWNS -> {
                Future<ShutdownResult> other = h.submit(ours::shutdown);
                results.put("shutdown", ours.shutdown());
                results.put("second", Harness.get(other, BOUND));
            }
        }
        String reader = awaitEnding(ourReader, LOCAL_ENDINGS, "our reader, " + iteration);
        String writer = awaitEnding(ourWriter, LOCAL_ENDINGS, "our writer, " + iteration);
        String peerRead = awaitEnding(peerReader, PEER_ENDINGS, "peer reader, " + iteration);
        String peerWrite = awaitEnding(peerWriter, PEER_ENDINGS, "peer writer, " + iteration);
        if (ending == Ending.SHUTDOWN || ending == Ending.TWO_SHUTDOWNS) {
            ShutdownResult r = results.get("shutdown");
            assertThat(r.clean()).as("nobody cut this shutdown short: %s; %s; peer: %s", r, iteration, peerRead)
                    .isTrue();
            assertThat(peerRead).as(iteration).contains("peer shutdown clean=true");
        }
        if (ending == Ending.TWO_SHUTDOWNS) {
            assertThat(results.get("second")).as("the second caller gets the first's result, " + iteration)
                    .isSameAs(results.get("shutdown"));
        }
        for (String outcome : List.of("ours:read:" + reader, "ours:write:" + writer,
                "peer:read:" + peerRead, "peer:write:" + peerWrite)) {
            outcomes.computeIfAbsent(outcome.replaceAll(" after \\d+ frames", ""), k -> new AtomicLong())
                    .incrementAndGet();
        }
        ours.close();
        peer.close();
    }

    /** Waits for the pool's outstanding count to reach 0; returns how long that took (polled). */
    static long awaitReturned(dev.frameconn.buffer.BufferPool pool, Duration timeout) {
        long start = System.nanoTime();
        while (pool.outstanding() != 0 && System.nanoTime() - start < timeout.toNanos()) {
            LockSupport.parkNanos(100_000);
        }
        return System.nanoTime() - start;
    }

    /** Reads until an exception; checks every payload on the way. Returns the exception's name. */
    private static String readUntilFailure(FrameConn conn, CountDownLatch go) throws Exception {
        go.await();
        long frames = 0;
        while (true) {
            try (Frame frame = conn.readFrame()) {
                byte expected = (byte) frame.type();
                var payload = frame.payload();
                for (int i = 0; i < frame.length(); i++) {
                    if (payload.get(i) != expected) {
                        throw new AssertionError("corrupted frame " + frames + ": type=" + frame.type() + " byte " + i
                                + " is " + payload.get(i) + ", length=" + frame.length());
                    }
                }
                frames++;
            } catch (java.io.IOException e) {
                return describe(e) + " after " + frames + " frames";
            }
        }
    }

    /** {@code Name} or, for a broken connection, {@code ConnectionBrokenException(CauseName)}. */
    private static String describe(java.io.IOException e) {
        String name = e.getClass().getSimpleName();
        if (e instanceof ConnectionBrokenException && e.getCause() != null) {
            name += "(" + e.getCause().getClass().getSimpleName() + ")";
        }
        return name;
    }

    /** Writes frames of random sizes, each filled with its type's low byte, until an exception. */
    private static String writeUntilFailure(FrameConn conn, CountDownLatch go, long seed) throws Exception {
        go.await();
        SplittableRandom random = new SplittableRandom(seed);
        long frames = 0;
        byte[][] payloads = new byte[256][];
        while (true) {
            int type = 1 + random.nextInt(255);
            int length = random.nextInt(4) == 0 ? random.nextInt(200_000) : random.nextInt(100);
            byte[] payload = payloads[type];
            if (payload == null || payload.length < length) {
                payload = new byte[Math.max(length, 1000)];
                java.util.Arrays.fill(payload, (byte) type);
                payloads[type] = payload;
            }
            try {
                conn.writeFrame(type, java.nio.ByteBuffer.wrap(payload, 0, length));
                frames++;
            } catch (java.io.IOException e) {
                return describe(e) + " after " + frames + " frames";
            }
        }
    }

    @SuppressWarnings("ReferenceEquality") // LOCAL_ENDINGS is recognised as that very set
    private static String awaitEnding(Future<String> task, Set<Class<?>> allowed, String who) throws Exception {
        String how = Harness.get(task, BOUND);
        String name = how.split(" ")[0];
        String broken = ConnectionBrokenException.class.getSimpleName();
        if (name.startsWith(broken + "(") && allowed != LOCAL_ENDINGS) {
            name = name.substring(broken.length() + 1, name.length() - 1); // judged by its cause
        }
        assertThat(allowed.stream().map(Class::getSimpleName)).as("%s ended with %s", who, how).contains(name);
        return how;
    }
}
