package dev.frameconn.tls;

import dev.frameconn.FrameConnConfig;
import dev.frameconn.FrameServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;

/**
 * A TCP listener that accepts framed connections over TLS, requiring every
 * client to prove its identity with a certificate that leads to the
 * configured CAs.
 *
 * <h2>Handshakes run in the background</h2>
 * One slow or bad client must not hold up the others, so handshakes do not run
 * on the thread calling {@link #accept()}: an acceptor thread takes each TCP
 * connection and handshakes it on a virtual thread of its own, bounded by
 * {@link TlsConfig#handshakeTimeout()}. {@link #accept()} hands out the
 * results in the order they finish: a connection with its verified
 * {@link TlsConnection#peerIdentity()}, or the {@link TlsHandshakeException}
 * of a client that failed (a plain-TCP client, an untrusted certificate…).
 * Such an exception concerns that one client only: the server keeps
 * listening, and the next {@code accept()} goes on. At most
 * {@link TlsConfig#maxPendingHandshakes()} connections are being handshaken or
 * waiting for {@code accept()}; further clients wait in the listen backlog.
 *
 * <h2>Accept failures</h2>
 * A failed TCP accept that is not the listener being closed (for example
 * "Too many open files" when the process is out of descriptors) does not stop
 * the server: the acceptor counts it ({@link #acceptFailures()},
 * {@link #lastAcceptFailure()}), waits, and tries again. The wait doubles from
 * 1 ms up to 1 s while failures follow each other, so a lasting shortage
 * costs one attempt a second instead of a busy loop, and starts again at 1 ms
 * after an accept succeeds. {@link #close()} ends such a wait at once.
 *
 * <p>{@link #close()} stops listening, aborts handshakes in progress, closes
 * connections nobody accepted yet, makes blocked {@code accept()} calls throw
 * {@link AsynchronousCloseException}, and returns once the background threads
 * have ended. Connections already accepted are independent of the server.
 */
public final class TlsFrameServer implements AutoCloseable {
    private static final long CLOSE_WAIT_SECONDS = 10;
    /** First wait after a failed accept. */
    static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Longest wait between failed accepts. */
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Takes the next TCP connection from the listener: its own accept, or a test's stand-in. */
    @FunctionalInterface
    interface Acceptor {
        SocketChannel accept(ServerSocketChannel listener) throws IOException;
    }

    private final ServerSocketChannel channel;
    private final TlsConfig tls;
    private final FrameConnConfig config;
    private final SSLContext context;
    private final SocketAddress localAddress;
    private final Semaphore pending;
    private final Set<TlsTransport> handshaking = ConcurrentHashMap.newKeySet();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Object> results = new ArrayDeque<>(); // TlsConnection or IOException, guarded by lock
    private IOException acceptFailure; // guarded by lock: the listener broke
    private int threads; // guarded by lock: acceptor and handshakes still running
    private volatile boolean closed;
    private final Acceptor acceptor;
    private final long minBackoffNanos;
    private final long maxBackoffNanos;
    private final AtomicLong acceptFailures = new AtomicLong();
    private volatile IOException lastAcceptFailure;

    private TlsFrameServer(ServerSocketChannel channel, TlsConfig tls, FrameConnConfig config, Acceptor acceptor,
            long minBackoffNanos, long maxBackoffNanos) throws IOException {
        this.channel = channel;
        this.tls = tls;
        this.config = config;
        this.acceptor = acceptor;
        this.minBackoffNanos = minBackoffNanos;
        this.maxBackoffNanos = maxBackoffNanos;
        this.context = tls.newSslContext();
        this.localAddress = channel.getLocalAddress();
        this.pending = new Semaphore(tls.maxPendingHandshakes());
    }

    /**
     * Listens on a TCP address (port 0 picks a free port; see {@link #localAddress()}).
     *
     * @param address the TCP address to listen on
     * @param tls the server's identity and trust
     * @param config the configuration of accepted connections
     * @return the listening server
     * @throws IllegalArgumentException if {@code tls} has no certificate and key
     * @throws IOException if the address cannot be bound
     */
    public static TlsFrameServer bind(InetSocketAddress address, TlsConfig tls, FrameConnConfig config)
            throws IOException {
        return bind(address, tls, config, ServerSocketChannel::accept, MIN_BACKOFF_NANOS, MAX_BACKOFF_NANOS);
    }

    /**
     * {@link #bind(InetSocketAddress, TlsConfig, FrameConnConfig)} taking
     * connections through {@code acceptor}, with other bounds for the wait
     * after a failed accept: for tests.
     */
    static TlsFrameServer bind(InetSocketAddress address, TlsConfig tls, FrameConnConfig config, Acceptor acceptor,
            long minBackoffNanos, long maxBackoffNanos) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(config, "config");
        if (!tls.hasIdentity()) {
            throw new IllegalArgumentException("tls=" + tls + " has no certificate and key; a server needs both");
        }
        ServerSocketChannel channel = ServerSocketChannel.open();
        TlsFrameServer server;
        try {
            config.applySocketBuffers(channel); // before listening: accepted sockets inherit it
            channel.bind(address, FrameServer.BACKLOG);
            server = new TlsFrameServer(channel, tls, config, acceptor, minBackoffNanos, maxBackoffNanos);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        server.startThread(server::acceptLoop, "frameconn-tls-acceptor");
        return server;
    }

    /**
     * Waits for the next client whose handshake finished, and returns its
     * connection.
     *
     * @return the client's connection, owned by the caller
     * @throws TlsHandshakeException if the next client to finish failed its
     *         handshake; the server goes on listening
     * @throws AsynchronousCloseException if the server is closed while waiting
     * @throws ClosedChannelException if the server is closed
     * @throws InterruptedIOException if interrupted while waiting
     * @throws IOException if the listening socket failed for good
     */
    public TlsConnection accept() throws IOException {
        Object result;
        lock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            while (results.isEmpty()) {
                if (closed) {
                    throw new AsynchronousCloseException();
                }
                if (acceptFailure != null) {
                    throw new IOException("the listening socket failed: " + acceptFailure.getMessage(), acceptFailure);
                }
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for a TLS client");
                }
            }
            result = results.poll();
        } finally {
            lock.unlock();
        }
        pending.release();
        if (result instanceof TlsConnection connection) {
            return connection;
        }
        IOException failure = (IOException) result;
        if (failure instanceof TlsHandshakeException handshake) {
            throw handshake;
        }
        throw new IOException("a TLS client failed before its handshake: " + failure.getMessage(), failure);
    }

    private void acceptLoop() {
        long backoff = 0;
        while (!closed) {
            try {
                pending.acquire();
            } catch (InterruptedException e) {
                return; // nobody interrupts this thread but a shutdown of the JVM
            }
            if (closed) {
                return;
            }
            SocketChannel accepted;
            try {
                accepted = acceptor.accept(channel);
            } catch (ClosedChannelException e) {
                // AsynchronousCloseException too: our close() (then closed is set), or someone closed the listener
                if (!closed) {
                    listenerBroken(e);
                }
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // out of descriptors or memory, a connection aborted before we took it: wait, then go on
                pending.release();
                acceptFailures.incrementAndGet();
                lastAcceptFailure = e;
                backoff = backoff == 0 ? minBackoffNanos : Math.min(2 * backoff, maxBackoffNanos);
                if (!backOff(backoff)) {
                    return;
                }
                continue;
            } catch (RuntimeException e) {
                if (!closed) {
                    listenerBroken(new IOException("accept failed: " + e, e));
                }
                return;
            }
            backoff = 0;
            if (!startThread(() -> handshake(accepted), "frameconn-tls-handshake")) {
                closeQuietly(accepted);
                return;
            }
        }
    }

    /** The listener cannot accept any more: {@link #accept()} reports it from now on. */
    private void listenerBroken(IOException e) {
        lock.lock();
        try {
            acceptFailure = e;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits {@code nanos} after a failed accept, or until closed (false then). */
    private boolean backOff(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!closed && left > 0) {
                left = changed.awaitNanos(left); // close() signals, so it never waits for this
            }
            return !closed;
        } catch (InterruptedException e) {
            return false; // as in acceptLoop: only a shutdown of the JVM interrupts this thread
        } finally {
            lock.unlock();
        }
    }

    private void handshake(SocketChannel accepted) {
        TlsTransport transport = null;
        try {
            config.applySocketBuffers(accepted); // the send buffer is not inherited from the listener
            transport = new TlsTransport(accepted, TlsFrameConn.serverEngine(context, tls));
            handshaking.add(transport);
            if (closed) {
                transport.abort(); // close() may have looked at the set before we joined it
            }
            TlsConnection connection = TlsFrameConn.establish(transport, tls, config);
            handshaking.remove(transport); // before delivery: close() must not abort an accepted connection
            deliver(connection);
        } catch (IOException e) {
            deliver(e);
        } catch (RuntimeException e) {
            deliver(new IOException("TLS handshake failed: " + e, e));
        } finally {
            if (transport != null) {
                handshaking.remove(transport);
            } else {
                closeQuietly(accepted);
            }
        }
    }

    private void deliver(Object result) {
        lock.lock();
        try {
            if (!closed) {
                results.add(result);
                changed.signalAll();
                return;
            }
        } finally {
            lock.unlock();
        }
        if (result instanceof TlsConnection connection) {
            connection.close(); // nobody will accept it
        }
        pending.release();
    }

    private boolean startThread(Runnable task, String name) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            threads++;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name(name).start(() -> {
            try {
                task.run();
            } finally {
                lock.lock();
                try {
                    threads--;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        });
        return true;
    }

    /** Background threads still running: for tests of close. */
    int threadsRunning() {
        lock.lock();
        try {
            return threads;
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many TCP accepts have failed without stopping the server (for
     * example for lack of file descriptors), since it was bound. Each failure
     * was followed by a wait; see the class comment.
     *
     * @return the number of failed accepts
     */
    public long acceptFailures() {
        return acceptFailures.get();
    }

    /**
     * The most recent of the {@link #acceptFailures()}, or null if there was none.
     *
     * @return the latest accept failure, or null
     */
    public IOException lastAcceptFailure() {
        return lastAcceptFailure;
    }

    /**
     * The address listened on, with the real port when 0 was asked for.
     *
     * @return the local address
     */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * True until closed.
     *
     * @return whether the server is open
     */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Stops listening, aborts handshakes in progress and closes connections not
     * yet accepted; returns once the server's threads have ended (at most about
     * ten seconds). Idempotent.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        IOException failure = null;
        try {
            channel.close();
        } catch (IOException e) {
            failure = e;
        }
        for (TlsTransport t : handshaking) {
            t.abort();
        }
        pending.release(Integer.MAX_VALUE / 2); // wakes the acceptor if it waits for room
        lock.lock();
        try {
            for (Object result : results) {
                if (result instanceof TlsConnection connection) {
                    connection.close();
                }
            }
            results.clear();
            long left = TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
            while (threads > 0 && left > 0) {
                try {
                    left = changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was built on it yet
        }
    }

    @Override
    public String toString() {
        return "TlsFrameServer[" + localAddress + (closed ? ", closed]" : "]");
    }
}
