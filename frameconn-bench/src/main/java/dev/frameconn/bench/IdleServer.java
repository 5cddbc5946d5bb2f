package dev.frameconn.bench;

import dev.frameconn.FrameConn;
import dev.frameconn.FrameServer;
import dev.frameconn.ShutdownResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The far end of the idle workload ({@link IdleWorkload}), in a child JVM so
 * that the benchmark process holds only the client ends (each end costs a file
 * descriptor, and both ends of 10,000 connections would not fit under a common
 * {@code ulimit -n} of 20,000). It accepts connections on a loopback port and
 * greets each with one {@link #HELLO_TYPE} frame; then it only holds them.
 *
 * <p>Line protocol. Out: {@code PORT <port>} once listening; {@code SHUTDOWN
 * <count> clean=<n>[ first-unclean=<result>]} after each shutdown command;
 * {@code ERROR <message>} if accepting or greeting failed. In:
 * {@code shutdown} shuts down every connection accepted so far, all at once,
 * and keeps listening; {@code exit} or the end of input closes everything and
 * ends the process.
 */
final class IdleServer {
    /** Type of the one frame the server sends on each connection. */
    static final int HELLO_TYPE = 0x0000_1d1e;
    /** Payload length of the greeting. */
    static final int HELLO_LENGTH = 8;

    private final ReentrantLock lock = new ReentrantLock();
    private final List<FrameConn> accepted = new ArrayList<>();
    private final PrintStream out;
    private volatile boolean closing;

    private IdleServer(PrintStream out) {
        this.out = out;
    }

    /** Runs the server until {@code exit} or the end of standard input. */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        new IdleServer(out).serve();
    }

    private void serve() throws IOException, InterruptedException {
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread acceptor = Thread.ofPlatform().daemon().name("idle-accept").start(() -> acceptLoop(server));
            print("PORT " + ((InetSocketAddress) server.localAddress()).getPort());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.trim().equals("exit")) {
                if (line.trim().equals("shutdown")) {
                    shutdownAll();
                } else {
                    print("ERROR unknown command=" + line);
                }
            }
            closing = true;
            server.close();
            acceptor.join();
        } finally {
            for (FrameConn conn : take()) {
                conn.close();
            }
        }
    }

    private void acceptLoop(FrameServer server) {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_LENGTH);
        while (true) {
            FrameConn conn;
            try {
                conn = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    print("ERROR accept failed after connections=" + count() + ": " + e);
                }
                return;
            }
            lock.lock();
            try {
                accepted.add(conn);
            } finally {
                lock.unlock();
            }
            try {
                conn.writeFrame(HELLO_TYPE, hello);
            } catch (IOException e) {
                print("ERROR greeting connection number " + count() + " failed: " + e);
            }
        }
    }

    /** Shuts every connection accepted so far down at once, one virtual thread each, and reports. */
    private void shutdownAll() throws InterruptedException {
        List<FrameConn> conns = take();
        AtomicInteger clean = new AtomicInteger();
        AtomicReference<String> firstUnclean = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>(conns.size());
        for (FrameConn conn : conns) {
            threads.add(Thread.ofVirtual().start(() -> {
                ShutdownResult result = conn.shutdown();
                if (result.clean()) {
                    clean.incrementAndGet();
                } else {
                    firstUnclean.compareAndSet(null, result.toString());
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        String unclean = firstUnclean.get();
        print("SHUTDOWN " + conns.size() + " clean=" + clean.get()
                + (unclean == null ? "" : " first-unclean=" + unclean.replace('\n', ' ')));
    }

    private List<FrameConn> take() {
        lock.lock();
        try {
            List<FrameConn> all = new ArrayList<>(accepted);
            accepted.clear();
            return all;
        } finally {
            lock.unlock();
        }
    }

    private int count() {
        lock.lock();
        try {
            return accepted.size();
        } finally {
            lock.unlock();
        }
    }

    private void print(String line) {
        lock.lock();
        try {
            out.println(line);
        } finally {
            lock.unlock();
        }
    }
}
