package dev.frameconn.bench;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The far end of the idle workload ({@link IdleWorkload}), in a child JVM so
 * that the benchmark process holds only the client ends (each end costs a file
 * descriptor, and both ends of 18,000 connections would not fit under a
 * {@code ulimit -n} of 20,000). It accepts connections on a loopback port and
 * greets each with one {@link #HELLO_TYPE} frame; then it only holds them.
 * With {@code --heartbeat-ms N} it puts a HeartbeatConn sending every N ms
 * over each connection before greeting it ({@link IdleConn}).
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
    /** The argument that switches heartbeats on; its value is the send interval in milliseconds. */
    static final String HEARTBEAT_ARG = "--heartbeat-ms";

    private final ReentrantLock lock = new ReentrantLock();
    private final List<IdleConn> accepted = new ArrayList<>();
    private final PrintStream out;
    /** Null: no heartbeats. */
    private final Duration heartbeat;
    private volatile boolean closing;

    private IdleServer(PrintStream out, Duration heartbeat) {
        this.out = out;
        this.heartbeat = heartbeat;
    }

    /** Runs the server until {@code exit} or the end of standard input; args: none, or {@code --heartbeat-ms N}. */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Duration heartbeat = null;
        if (args.length == 2 && args[0].equals(HEARTBEAT_ARG)) {
            heartbeat = Duration.ofMillis(Long.parseLong(args[1]));
        } else if (args.length != 0) {
            out.println("ERROR arguments=" + String.join(" ", args) + " are not [" + HEARTBEAT_ARG + " N]");
            System.exit(2);
        }
        new IdleServer(out, heartbeat).serve();
    }

    private void serve() throws IOException, InterruptedException {
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                IdleConn.CONFIG)) {
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
            for (IdleConn conn : take()) {
                conn.close();
            }
        }
    }

    private void acceptLoop(FrameServer server) {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_LENGTH);
        while (true) {
            IdleConn conn;
            try {
                conn = IdleConn.over(server.accept(), heartbeat);
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
        List<IdleConn> conns = take();
        AtomicInteger clean = new AtomicInteger();
        AtomicReference<String> firstUnclean = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>(conns.size());
        for (IdleConn conn : conns) {
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

    private List<IdleConn> take() {
        lock.lock();
        try {
            List<IdleConn> all = new ArrayList<>(accepted);
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
