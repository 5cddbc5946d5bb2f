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
 * <p>{@link #close()} stops listening, aborts handshakes in progress, closes
 * connections nobody accepted yet, makes blocked {@code accept()} calls throw
 * {@link AsynchronousCloseException}, and returns once the background threads
 * have ended. Connections already accepted are independent of the server.
 */
public final class TlsFrameServer implements AutoCloseable {
    private static final long CLOSE_WAIT_SECONDS = 10;

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

    private TlsFrameServer(ServerSocketChannel channel, TlsConfig tls, FrameConnConfig config) throws IOException {
        this.channel = channel;
        this.tls = tls;
        this.config = config;
        this.context = tls.newSslContext();
        this.localAddress = channel.getLocalAddress();
        this.pending = new Semaphore(tls.maxPendingHandshakes());
    }

    /**
     * Listens on a TCP address (port 0 picks a free port; see {@link #localAddress()}).
     *
     * @throws IllegalArgumentException if {@code tls} has no certificate and key
     * @throws IOException if the address cannot be bound
     */
    public static TlsFrameServer bind(InetSocketAddress address, TlsConfig tls, FrameConnConfig config)
            throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(config, "config");
        if (!tls.hasIdentity()) {
            throw new IllegalArgumentException("tls=" + tls + " has no certificate and key; a server needs both");
        }
        ServerSocketChannel channel = ServerSocketChannel.open();
        TlsFrameServer server;
        try {
            channel.bind(address, FrameServer.BACKLOG);
            server = new TlsFrameServer(channel, tls, config);
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
                accepted = channel.accept();
            } catch (IOException e) {
                if (!closed) {
                    // the listener is broken (not closed by us): accept() reports it from now on
                    lock.lock();
                    try {
                        acceptFailure = e;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
                return;
            }
            if (!startThread(() -> handshake(accepted), "frameconn-tls-handshake")) {
                closeQuietly(accepted);
                return;
            }
        }
    }

    private void handshake(SocketChannel accepted) {
        TlsTransport transport = null;
        try {
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

    /** The address listened on, with the real port when 0 was asked for. */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /** True until closed. */
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
