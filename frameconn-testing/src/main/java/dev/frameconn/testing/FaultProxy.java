package dev.frameconn.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy on the loopback interface that a test can misbehave on purpose:
 * it forwards, stalls, throttles, resets or closes the connections that pass
 * through it.
 *
 * <pre>
 *   client ──► proxy.address() ══ UPSTREAM ══► target
 *   client ◄══ DOWNSTREAM ════════════════════ target
 * </pre>
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>Forward</b> (the default): bytes pass unchanged and in order; an end
 *       of stream (FIN) is passed on as a half-close of the other socket, so
 *       frameconn's shutdown handshake works through the proxy.</li>
 *   <li><b>Stall</b> ({@link #stall}): the direction stops reading from its
 *       source, so the source's kernel buffers fill and its writer blocks, as
 *       with a peer that stopped reading. Nothing is closed. At most one chunk
 *       ({@link #CHUNK} bytes) that was read before the stall may still be
 *       delivered. {@link #resume} forwards again, losing nothing.</li>
 *   <li><b>Throttle</b> ({@link #throttle}): at most that many bytes per second,
 *       averaged over the connection's life in that direction.</li>
 *   <li><b>Reset</b> ({@link #reset()}): both sockets of every connection are
 *       closed with SO_LINGER 0, so both ends receive a TCP RST, whatever
 *       data is in flight.</li>
 *   <li><b>Close</b> ({@link #closeConnections()}): both sockets of every
 *       connection are closed normally (FIN, or RST where unread data remains,
 *       as the kernel does for any process).</li>
 *   <li>A reset from either end is passed on as a reset of the other end.</li>
 *   <li>Settings apply to every connection, present and future.
 *       {@link #close()} stops listening, closes every connection and joins
 *       every thread the proxy started; the proxy leaks nothing.</li>
 * </ul>
 * The proxy is thread-safe. It uses two platform threads per connection plus
 * one for accepting, named {@code fault-proxy-…}.
 */
public final class FaultProxy implements AutoCloseable {
    /** Which way bytes flow. */
    public enum Direction {
        /** From the client (who connected to the proxy) to the target. */
        UPSTREAM,
        /** From the target back to the client. */
        DOWNSTREAM
    }

    /** Bytes read and written per step: 64 KiB. */
    public static final int CHUNK = 64 << 10;

    private final InetSocketAddress target;
    private final ServerSocketChannel listener;
    private final InetSocketAddress address;
    private final Thread acceptor;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every change of settings, progress, new link or close. */
    private final Condition changed = lock.newCondition();
    private final Map<Direction, Boolean> stalled = new EnumMap<>(Direction.class);
    private final Map<Direction, Long> bytesPerSecond = new EnumMap<>(Direction.class);
    private final List<Link> links = new ArrayList<>();
    private final Map<Direction, AtomicLong> forwarded = new EnumMap<>(Direction.class);
    private final AtomicInteger accepted = new AtomicInteger();
    private boolean closed;

    private FaultProxy(InetSocketAddress target, ServerSocketChannel listener) throws IOException {
        this.target = target;
        this.listener = listener;
        this.address = (InetSocketAddress) listener.getLocalAddress();
        for (Direction d : Direction.values()) {
            stalled.put(d, false);
            bytesPerSecond.put(d, 0L);
            forwarded.put(d, new AtomicLong());
        }
        this.acceptor = Thread.ofPlatform().daemon().name("fault-proxy-" + address.getPort() + "-accept")
                .unstarted(this::acceptLoop);
    }

    /**
     * Starts a proxy on a free loopback port that forwards every connection to
     * {@code target}.
     *
     * @param target where each connection is forwarded to
     * @return the running proxy
     * @throws IOException if no loopback port can be bound
     */
    public static FaultProxy start(InetSocketAddress target) throws IOException {
        Objects.requireNonNull(target, "target");
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            FaultProxy proxy = new FaultProxy(target, listener);
            proxy.acceptor.start();
            return proxy;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /**
     * Where clients connect.
     *
     * @return the proxy's address
     */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * Where the proxy connects to.
     *
     * @return the target address
     */
    public InetSocketAddress target() {
        return target;
    }

    /**
     * Stops forwarding in the given directions (both if none given), without closing anything.
     *
     * @param directions the directions to stop; none means both
     */
    public void stall(Direction... directions) {
        set(directions, true);
    }

    /**
     * Forwards again in the given directions (both if none given).
     *
     * @param directions the directions to resume; none means both
     */
    public void resume(Direction... directions) {
        set(directions, false);
    }

    private void set(Direction[] directions, boolean stall) {
        Direction[] which = directions.length == 0 ? Direction.values() : directions;
        lock.lock();
        try {
            for (Direction d : which) {
                stalled.put(d, stall);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Limits a direction to {@code bytesPerSecond} (averaged per connection);
     * 0 removes the limit.
     *
     * @param direction the direction to limit
     * @param bytesPerSecond the limit, or 0 for none
     */
    public void throttle(Direction direction, long bytesPerSecond) {
        Objects.requireNonNull(direction, "direction");
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond=" + bytesPerSecond + " must be >= 0");
        }
        lock.lock();
        try {
            this.bytesPerSecond.put(direction, bytesPerSecond);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Resets every current connection: both ends receive a TCP RST (SO_LINGER 0). */
    public void reset() {
        for (Link link : snapshot()) {
            link.close(true);
        }
    }

    /** Closes every current connection normally: both ends see end of stream. */
    public void closeConnections() {
        for (Link link : snapshot()) {
            link.close(false);
        }
    }

    /**
     * Bytes forwarded so far in {@code direction}, over all connections.
     *
     * @param direction the direction counted
     * @return the bytes forwarded
     */
    public long forwarded(Direction direction) {
        return forwarded.get(direction).get();
    }

    /**
     * Connections accepted so far.
     *
     * @return the number of connections accepted
     */
    public int connections() {
        return accepted.get();
    }

    /**
     * Waits until at least {@code bytes} were forwarded in {@code direction}.
     *
     * @param direction the direction counted
     * @param bytes the count to wait for
     * @param timeout how long to wait at most
     * @throws TimeoutException with the count reached, if that takes longer than {@code timeout}
     * @throws InterruptedException if interrupted while waiting
     */
    public void awaitForwarded(Direction direction, long bytes, Duration timeout)
            throws InterruptedException, TimeoutException {
        awaitCondition(() -> forwarded(direction) >= bytes, timeout,
                () -> "forwarded " + direction + "=" + forwarded(direction) + " of " + bytes + " bytes");
    }

    /**
     * Waits until at least {@code count} connections were accepted and connected to the target.
     *
     * @param count the number of connections to wait for
     * @param timeout how long to wait at most
     * @throws InterruptedException if interrupted while waiting
     * @throws TimeoutException with the count reached, if that takes longer than {@code timeout}
     */
    public void awaitConnections(int count, Duration timeout) throws InterruptedException, TimeoutException {
        awaitCondition(() -> accepted.get() >= count, timeout,
                () -> "connections=" + accepted.get() + " of " + count);
    }

    private void awaitCondition(java.util.function.BooleanSupplier done, Duration timeout,
            java.util.function.Supplier<String> state) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("fault proxy: waited " + timeout + ": " + state.get());
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops listening, closes every connection and waits for every proxy thread to end. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // the listener is gone either way
        }
        for (Link link : snapshot()) {
            link.close(false);
        }
        join(acceptor);
        for (Link link : snapshot()) {
            join(link.up);
            join(link.down);
        }
    }

    private static void join(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("fault proxy thread did not end within 30 s: thread=" + thread.getName());
        }
    }

    private List<Link> snapshot() {
        lock.lock();
        try {
            return new ArrayList<>(links);
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            SocketChannel server = null;
            try {
                server = SocketChannel.open();
                server.connect(target);
                for (SocketChannel c : new SocketChannel[] {client, server}) {
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
            } catch (IOException e) {
                // the target refused: the client sees a reset, as if the proxy were not there
                abort(client);
                if (server != null) {
                    abort(server);
                }
                continue;
            }
            lock.lock();
            try {
                if (closed) {
                    abort(client);
                    abort(server);
                    return;
                }
                Link link = new Link(accepted.get(), client, server);
                links.add(link);
                link.up.start();
                link.down.start();
                accepted.incrementAndGet();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private static void abort(SocketChannel channel) {
        try {
            if (channel.isOpen()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException ignored) {
            // closing below is what matters
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** One proxied connection: two sockets and a pump thread per direction. */
    private final class Link {
        final SocketChannel client;
        final SocketChannel server;
        final Thread up;
        final Thread down;
        private final AtomicInteger endsOfStream = new AtomicInteger();
        private volatile boolean closing;

        Link(int id, SocketChannel client, SocketChannel server) {
            this.client = client;
            this.server = server;
            String name = "fault-proxy-" + address.getPort() + "-" + id;
            this.up = Thread.ofPlatform().daemon().name(name + "-up")
                    .unstarted(() -> pump(Direction.UPSTREAM, client, server));
            this.down = Thread.ofPlatform().daemon().name(name + "-down")
                    .unstarted(() -> pump(Direction.DOWNSTREAM, server, client));
        }

        void close(boolean reset) {
            closing = true;
            if (reset) {
                abort(client);
                abort(server);
            } else {
                closeQuietly(client);
                closeQuietly(server);
            }
            lock.lock();
            try {
                changed.signalAll(); // wake pumps waiting on a stall or throttle
            } finally {
                lock.unlock();
            }
        }

        private void closeQuietly(SocketChannel channel) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // best effort
            }
        }

        private void pump(Direction direction, SocketChannel from, SocketChannel to) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            AtomicLong counter = forwarded.get(direction);
            long started = System.nanoTime();
            long sent = 0;
            try {
                while (true) {
                    buffer.clear();
                    buffer.limit(chunkFor(direction));
                    int n = from.read(buffer);
                    if (n < 0) {
                        to.shutdownOutput(); // pass the FIN on
                        if (endsOfStream.incrementAndGet() == 2) {
                            close(false);
                        }
                        return;
                    }
                    buffer.flip();
                    if (!awaitGate(direction, started, sent + n)) {
                        return;
                    }
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    sent += n;
                    counter.addAndGet(n);
                    lock.lock();
                    try {
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException e) {
                if (!closing) {
                    // one end reset or failed: the other end learns it the same way
                    close(true);
                }
            }
        }

        /** Bytes to read next: a chunk, or about 20 ms worth under a throttle. */
        private int chunkFor(Direction direction) {
            long rate;
            lock.lock();
            try {
                rate = bytesPerSecond.get(direction);
            } finally {
                lock.unlock();
            }
            if (rate == 0) {
                return CHUNK;
            }
            return (int) Math.max(1, Math.min(CHUNK, rate / 50));
        }

        /**
         * Blocks while the direction is stalled or the throttle says wait;
         * false if the link or proxy closed meanwhile.
         */
        private boolean awaitGate(Direction direction, long started, long sentAfter) {
            lock.lock();
            try {
                while (true) {
                    if (closing || closed) {
                        return false;
                    }
                    if (stalled.get(direction)) {
                        changed.awaitUninterruptibly();
                        continue;
                    }
                    long rate = bytesPerSecond.get(direction);
                    if (rate > 0) {
                        // pace: sentAfter bytes may have left by started + sentAfter / rate
                        long due = started + (long) (sentAfter * 1e9 / rate);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            try {
                                changed.awaitNanos(wait);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return false;
                            }
                            continue;
                        }
                    }
                    return true;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + address + " -> " + target + ", connections=" + accepted.get()
                + ", up=" + forwarded(Direction.UPSTREAM) + ", down=" + forwarded(Direction.DOWNSTREAM) + "]";
    }
}
