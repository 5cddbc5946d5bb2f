package dev.frameconn.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ceiling: blocking {@link SocketChannel}s with direct buffers moving the
 * very bytes of the frame stream in 1 MiB writes and 1 MiB reads, with no
 * framing logic at all. Frames are counted from the byte count; a stream that
 * does not end on a frame boundary fails the round.
 */
final class RawContender implements Contender {
    private final Map<Integer, ByteBuffer> blocks = new HashMap<>();
    private final ArrayDeque<ByteBuffer> readBuffers = new ArrayDeque<>();

    @Override
    public Impl impl() {
        return Impl.RAW;
    }

    @Override
    public Mode mode() {
        return Mode.BATCH;
    }

    @Override
    public String threads(ThreadKind requested) {
        return requested.label();
    }

    @Override
    public TransferResult transfer(int payload, int connections, Round round, ThreadKind threads)
            throws Exception {
        ByteBuffer block = blocks.computeIfAbsent(payload, Wire::rawBlock);
        Ledger ledger = new Ledger(name(), payload, connections);
        List<SocketChannel> channels = new ArrayList<>(2 * connections);
        List<ByteBuffer> buffers = new ArrayList<>(connections);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            SocketBuffers.apply(server);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), connections);
            for (int i = 0; i < connections; i++) {
                SocketChannel client = connected(server);
                channels.add(client);
                SocketChannel accepted = server.accept();
                channels.add(accepted);
                SocketBuffers.apply(accepted);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
                int port = ((InetSocketAddress) client.getLocalAddress()).getPort();
                ByteBuffer readBuffer = readBuffer();
                buffers.add(readBuffer);
                ByteBuffer stream = block.duplicate();
                threads.start("raw-send-" + i, () -> send(client, stream, payload, port, round, ledger));
                threads.start("raw-recv-" + i, () -> receive(accepted, readBuffer, payload, port, ledger));
            }
            round.start();
            round.runToEnd();
            return ledger.await(round);
        } finally {
            round.abort();
            for (SocketChannel channel : channels) {
                Bench.closeQuietly(channel);
            }
            readBuffers.addAll(buffers);
        }
    }

    private ByteBuffer readBuffer() {
        ByteBuffer buffer = readBuffers.poll();
        return buffer != null ? buffer : ByteBuffer.allocateDirect(Wire.RAW_WRITE_SIZE);
    }

    /** Writes 1 MiB windows of the stream until the round ends, then completes the frame in flight. */
    private void send(SocketChannel channel, ByteBuffer stream, int payload, int port, Round round, Ledger ledger) {
        try {
            int frame = Wire.frameLength(payload);
            long budget = round.frameBudget() == Long.MAX_VALUE ? Long.MAX_VALUE : round.frameBudget() * frame;
            long written = 0;
            int phase = 0;
            long began = round.awaitGo();
            while (written < budget && !round.stopped()) {
                int window = (int) Math.min(Wire.RAW_WRITE_SIZE, budget - written);
                stream.limit(phase + window).position(phase);
                written += writeFully(channel, stream);
                phase = (int) (written % frame);
            }
            if (phase != 0) {
                stream.limit(frame).position(phase);
                written += writeFully(channel, stream);
            }
            channel.shutdownOutput();
            ledger.sent(port, written / frame, began);
        } catch (Throwable t) {
            ledger.fail(t);
            Bench.closeQuietly(channel);
        } finally {
            ledger.partyDone();
        }
    }

    private static long writeFully(SocketChannel channel, ByteBuffer src) throws IOException {
        long n = 0;
        while (src.hasRemaining()) {
            n += channel.write(src);
        }
        return n;
    }

    private void receive(SocketChannel channel, ByteBuffer buffer, int payload, int port, Ledger ledger) {
        try {
            long bytes = 0;
            int n;
            buffer.clear();
            while ((n = channel.read(buffer)) >= 0) {
                bytes += n;
                buffer.clear();
            }
            long end = System.nanoTime();
            int frame = Wire.frameLength(payload);
            if (bytes % frame != 0) {
                throw new BenchmarkFailure(name() + ": port=" + port + " stream of bytes=" + bytes
                        + " does not end on a frame boundary (frame=" + frame + ")");
            }
            ledger.received(port, bytes / frame, bytes / frame * payload, end);
        } catch (Throwable t) {
            ledger.fail(t);
            Bench.closeQuietly(channel);
        } finally {
            ledger.partyDone();
        }
    }

    @Override
    public boolean pingPongs() {
        return true;
    }

    @Override
    public PingPongResult pingPong(int payload, long durationNanos) throws Exception {
        int frame = Wire.frameLength(payload);
        ByteBuffer request = Wire.rawFrame(payload);
        ByteBuffer response = ByteBuffer.allocateDirect(frame);
        long[] samples = Bench.sampleArray(durationNanos);
        long[] echoed = new long[1];
        Throwable[] echoFailure = new Throwable[1];
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            SocketBuffers.apply(server);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = connected(server);
                    SocketChannel accepted = server.accept()) {
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Thread echo = ThreadKind.PLATFORM.start("raw-echo", () -> {
                    try {
                        echoed[0] = echo(accepted, frame);
                    } catch (Throwable t) {
                        echoFailure[0] = t;
                        Bench.closeQuietly(accepted);
                    }
                });
                int count = 0;
                long start = System.nanoTime();
                long end = start + durationNanos;
                long now = start;
                try {
                    while (now < end && count < samples.length) {
                        request.clear();
                        writeFully(client, request);
                        response.clear();
                        if (!readFully(client, response)) {
                            throw new BenchmarkFailure(name() + ": echo side closed after round trips=" + count);
                        }
                        if (response.getInt(0) != Wire.TYPE || response.getInt(4) != payload) {
                            throw new BenchmarkFailure(name() + ": echoed header type=" + response.getInt(0)
                                    + " length=" + response.getInt(4) + ", expected type=" + Wire.TYPE
                                    + " length=" + payload);
                        }
                        long t = System.nanoTime();
                        samples[count++] = t - now;
                        now = t;
                    }
                    client.shutdownOutput();
                } finally {
                    Bench.join(echo, name());
                }
                long elapsed = System.nanoTime() - start;
                return PingPongResult.checked(name(), samples, count, elapsed, echoed[0], echoFailure[0]);
            }
        }
    }

    private static long echo(SocketChannel channel, int frame) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(frame);
        long count = 0;
        while (true) {
            buffer.clear();
            if (!readFully(channel, buffer)) {
                return count;
            }
            buffer.flip();
            writeFully(channel, buffer);
            count++;
        }
    }

    /** Fills {@code dst}; false at a clean end of stream before its first byte. */
    private static boolean readFully(SocketChannel channel, ByteBuffer dst) throws IOException {
        boolean first = true;
        while (dst.hasRemaining()) {
            if (channel.read(dst) < 0) {
                if (first && dst.position() == 0) {
                    return false;
                }
                throw new BenchmarkFailure("raw: stream ended inside a frame after bytes=" + dst.position());
            }
            first = false;
        }
        return true;
    }

    @Override
    public void close() {
        blocks.clear();
        readBuffers.clear();
    }

    /** A client connected to {@code server}, with the run's socket buffers set before the handshake. */
    private static SocketChannel connected(ServerSocketChannel server) throws IOException {
        SocketChannel client = SocketChannel.open();
        try {
            SocketBuffers.apply(client);
            client.connect(server.getLocalAddress());
            return client;
        } catch (IOException | RuntimeException e) {
            Bench.closeQuietly(client);
            throw e;
        }
    }
}
