package dev.frameconn.bench;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.EndOfStreamException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import dev.frameconn.ShutdownResult;
import dev.frameconn.tls.TlsFrameConn;
import dev.frameconn.tls.TlsFrameServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * frameconn as its users run it: default configuration, a sender calling
 * {@link FrameConn#writeFrame} per frame ({@link Mode#PER_FRAME}) or the batch
 * API 64 frames at a time ({@link Mode#BATCH}, see {@link FrameconnBatch}), and
 * a reader thread calling {@link FrameConn#readFrame()} and closing each frame.
 * The sender ends its stream with {@link FrameConn#shutdown()}; the receiver
 * stops its clock when the peer's RST arrives, then shuts down too.
 */
final class FrameconnContender implements Contender {
    /** Frames are reused (zero allocation per read): the readers here close each frame before the next read. */
    static final FrameConnConfig CONFIG = FrameConnConfig.defaults().withReuseFrames(true);

    /**
     * How long a {@link Mode#SPIN} reader polls before it parks: a few round trips of loopback
     * ping-pong, so that a reader waiting for the answer to its request never parks.
     */
    static final Duration SPIN_BUDGET = Duration.ofMillis(1);

    /** {@link #CONFIG} with the run's socket buffers (see {@link SocketBuffers}). */
    static FrameConnConfig config() {
        return CONFIG.withSocketBufferSize(SocketBuffers.size());
    }

    /** {@link #config()}, spinning for {@link #SPIN_BUDGET} in {@link Mode#SPIN}. */
    private FrameConnConfig pingConfig() {
        return mode == Mode.SPIN ? config().withReadSpin(SPIN_BUDGET) : config();
    }

    private final Mode mode;
    /** Non-null: the tls workload's contender, over frameconn-tls. */
    private final BenchTls tls;
    /** First unclean shutdown seen: reported as a warning, since the data were already checked. */
    private final AtomicReference<String> shutdownWarning = new AtomicReference<>();

    FrameconnContender(Mode mode) {
        this(mode, null);
    }

    /** Over TLS with {@code tls}'s certificates when it is not null. */
    FrameconnContender(Mode mode, BenchTls tls) {
        this.mode = mode;
        this.tls = tls;
    }

    @Override
    public Impl impl() {
        return tls == null ? Impl.FRAMECONN : Impl.FRAMECONN_TLS;
    }

    @Override
    public Mode mode() {
        return mode;
    }

    @Override
    public String threads(ThreadKind requested) {
        return requested.label();
    }

    /** The first shutdown that did not complete cleanly, or null. */
    String shutdownWarning() {
        return shutdownWarning.get();
    }

    @Override
    public TransferResult transfer(int payload, int connections, Round round, ThreadKind threads)
            throws Exception {
        ByteBuffer source = Wire.payload(payload);
        Ledger ledger = new Ledger(name(), payload, connections);
        List<FrameConn> conns = new ArrayList<>(2 * connections);
        try (Acceptor server = Acceptor.bind(tls)) {
            for (int i = 0; i < connections; i++) {
                FrameConn client = server.connect();
                conns.add(client);
                FrameConn accepted = server.accept();
                conns.add(accepted);
                int port = ((InetSocketAddress) client.localAddress()).getPort();
                // each sender its own view: writeFrame leaves position and limit alone, but views are cheap
                ByteBuffer view = source.duplicate();
                threads.start("frameconn-send-" + i, () -> send(client, view, port, round, ledger));
                threads.start("frameconn-recv-" + i, () -> receive(accepted, payload, port, ledger));
            }
            round.start();
            round.runToEnd();
            return ledger.await(round);
        } finally {
            round.abort();
            for (FrameConn conn : conns) {
                conn.close();
            }
        }
    }

    private void send(FrameConn conn, ByteBuffer payload, int port, Round round, Ledger ledger) {
        try {
            long frames = 0;
            long budget = round.frameBudget();
            long began = round.awaitGo();
            if (mode == Mode.PER_FRAME) {
                while (frames < budget && !round.stopped()) {
                    conn.writeFrame(Wire.TYPE, payload);
                    frames++;
                }
            } else {
                int batch = Wire.batchFrames(payload.remaining());
                ByteBuffer[] payloads = new ByteBuffer[batch];
                for (int i = 0; i < batch; i++) {
                    // one view per slot: the core gathers large payloads by their buffer objects, and one
                    // object twice in a gathering write breaks when the write is partial (see FrameconnBatch)
                    payloads[i] = payload.duplicate();
                }
                FrameconnBatch batcher = new FrameconnBatch(conn);
                while (frames < budget && !round.stopped()) {
                    int count = (int) Math.min(batch, budget - frames);
                    batcher.write(Wire.TYPE, payloads, count);
                    frames += count;
                }
            }
            ledger.sent(port, frames, began);
            noteShutdown(conn.shutdown());
        } catch (Throwable t) {
            ledger.fail(t);
            conn.close();
        } finally {
            ledger.partyDone();
        }
    }

    private void receive(FrameConn conn, int payload, int port, Ledger ledger) {
        try {
            long frames = 0;
            long bytes = 0;
            while (true) {
                try (Frame frame = conn.readFrame()) {
                    if (frame.type() != Wire.TYPE || frame.length() != payload) {
                        throw new BenchmarkFailure(name() + ": port=" + port + " frame type=" + frame.type()
                                + " length=" + frame.length() + ", expected type=" + Wire.TYPE + " length=" + payload);
                    }
                    frames++;
                    bytes += frame.length();
                } catch (ConnectionShutdownException e) {
                    if (e.initiator() != ConnectionShutdownException.Initiator.PEER) {
                        throw e;
                    }
                    break;
                }
            }
            long end = System.nanoTime();
            ledger.received(port, frames, bytes, end);
            noteShutdown(conn.shutdown());
        } catch (Throwable t) {
            ledger.fail(t);
            conn.close();
        } finally {
            ledger.partyDone();
        }
    }

    private void noteShutdown(ShutdownResult result) {
        if (!result.clean()) {
            shutdownWarning.compareAndSet(null, result.toString());
        }
    }

    /** A plain or a TLS listener on loopback, and connecting to it; handshakes finish before the round. */
    private record Acceptor(FrameServer plain, TlsFrameServer secure, BenchTls tls) implements AutoCloseable {
        static Acceptor bind(BenchTls tls) throws IOException {
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            return tls == null ? new Acceptor(FrameServer.bind(any, config()), null, null)
                    : new Acceptor(null, TlsFrameServer.bind(any, tls.frameconnServer, config()), tls);
        }

        FrameConn connect() throws IOException {
            if (secure == null) {
                return FrameConn.connect(plain.localAddress(), config());
            }
            InetSocketAddress at = (InetSocketAddress) secure.localAddress();
            return TlsFrameConn.connect(new InetSocketAddress(BenchTls.HOST, at.getPort()), tls.frameconnClient,
                    config()).conn();
        }

        FrameConn accept() throws IOException {
            return secure == null ? plain.accept() : secure.accept().conn();
        }

        @Override
        public void close() throws IOException {
            if (secure == null) {
                plain.close();
            } else {
                secure.close();
            }
        }
    }

    @Override
    public boolean pingPongs() {
        return (mode == Mode.PER_FRAME || mode == Mode.SPIN) && tls == null;
    }

    @Override
    public boolean transfers() {
        return mode != Mode.SPIN;
    }

    @Override
    public PingPongResult pingPong(int payload, long durationNanos) throws Exception {
        ByteBuffer request = Wire.payload(payload);
        long[] samples = Bench.sampleArray(durationNanos);
        long[] echoed = new long[1];
        Throwable[] echoFailure = new Throwable[1];
        FrameConnConfig config = pingConfig();
        ThreadCpu cpu = new ThreadCpu();
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config);
                FrameConn client = FrameConn.connect(server.localAddress(), config);
                FrameConn accepted = server.accept()) {
            Thread echo = ThreadKind.PLATFORM.start("frameconn-echo", () -> {
                try {
                    cpu.add(Thread.currentThread());
                    echoed[0] = echo(accepted);
                } catch (Throwable t) {
                    echoFailure[0] = t;
                    Bench.closeQuietly(accepted); // wakes the client's blocked read
                }
            });
            cpu.add(Thread.currentThread());
            int count = 0;
            long start = System.nanoTime();
            long end = start + durationNanos;
            long now = start;
            long cpuNanos;
            try {
                while (now < end && count < samples.length) {
                    client.writeFrame(Wire.TYPE, request);
                    try (Frame reply = client.readFrame()) {
                        if (reply.type() != Wire.TYPE || reply.length() != payload) {
                            throw new BenchmarkFailure(name() + ": echoed type=" + reply.type() + " length="
                                    + reply.length() + ", expected type=" + Wire.TYPE + " length=" + payload);
                        }
                    }
                    long t = System.nanoTime();
                    samples[count++] = t - now;
                    now = t;
                }
                cpuNanos = cpu.nanosSinceAdded(); // while the echo thread lives: an ended thread has no CPU time
                noteShutdown(client.shutdown());
            } finally {
                Bench.join(echo, name());
            }
            long elapsed = System.nanoTime() - start;
            return PingPongResult.checked(name(), samples, count, elapsed, echoed[0], echoFailure[0])
                    .withCpu(cpuNanos, now - start);
        }
    }

    /** Echoes frames until the client shuts down; returns how many. */
    private long echo(FrameConn conn) throws IOException {
        long count = 0;
        while (true) {
            try (Frame frame = conn.readFrame()) {
                conn.writeFrame(frame.type(), frame.payload());
                count++;
            } catch (ConnectionShutdownException | EndOfStreamException e) {
                noteShutdown(conn.shutdown());
                return count;
            }
        }
    }

    @Override
    public void close() {
        // nothing held between rounds
    }
}
