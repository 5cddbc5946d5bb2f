package dev.frameconn.probe;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Run by {@code ReadFairnessTest} in a child JVM with a small virtual-thread
 * scheduler: {@code connections} loopback connections, each written as fast as
 * it can by a platform thread (which the operating system preempts, so every
 * socket keeps having data), read by a virtual thread. The readers start only
 * once the writers have filled their sockets, so no reader finds its socket
 * empty at first. The bound is on work, not time: for each connection, how many
 * frames the others had read when its own first read returned. Exit status 0
 * if that is at most {@code bound} for every connection, 1 if not (or if a
 * connection got nothing read in 60 s).
 *
 * <p>Arguments: connections, payload bytes, bound in frames.
 */
public final class ReadFairnessProbe {
    private ReadFairnessProbe() {}

    /** Frames read by all readers so far. */
    private static final AtomicLong READ = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        int payload = Integer.parseInt(args[1]);
        long bound = Long.parseLong(args[2]);
        AtomicLongArray readBefore = new AtomicLongArray(connections);
        AtomicLongArray frames = new AtomicLongArray(connections);
        AtomicLongArray written = new AtomicLongArray(connections);
        for (int i = 0; i < connections; i++) {
            readBefore.set(i, -1);
        }
        FrameConn[] clients = new FrameConn[connections];
        FrameConn[] peers = new FrameConn[connections];
        Thread[] writers = new Thread[connections];
        Thread[] readers = new Thread[connections];
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < connections; i++) {
                clients[i] = FrameConn.connect(server.localAddress());
                peers[i] = server.accept();
            }
            for (int i = 0; i < connections; i++) {
                int c = i;
                writers[c] = Thread.ofPlatform().name("writer-" + c).start(() -> write(clients[c], payload, stop,
                        written, c));
                readers[c] = Thread.ofVirtual().name("reader-" + c).start(() -> read(peers[c], c, go, readBefore,
                        frames));
            }
            awaitStalled(written);
            go.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && !allRead(readBefore)) {
                Thread.sleep(1);
            }
            stop.set(true);
            for (int i = 0; i < connections; i++) {
                clients[i].close(); // wakes a writer blocked on a full socket
                peers[i].close(); // wakes its reader
            }
            for (int i = 0; i < connections; i++) {
                writers[i].join(TimeUnit.SECONDS.toMillis(10));
                readers[i].join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        int late = 0;
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < connections; i++) {
            long before = readBefore.get(i);
            boolean ok = before >= 0 && before <= bound;
            late += ok ? 0 : 1;
            line.append(String.format(" %d:%s/%d/%d", i, before < 0 ? "never" : Long.toString(before),
                    frames.get(i), written.get(i)));
        }
        System.out.println("per connection: frames the others had read when its first read returned / frames read"
                + " / frames written:" + line);
        System.out.println("late=" + late + " of " + connections);
        System.exit(late == 0 ? 0 : 1);
    }

    /** Waits until no writer has written a frame for 200 ms: every socket is full (or 10 s passed). */
    private static void awaitStalled(AtomicLongArray written) throws InterruptedException {
        long last = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            long sum = 0;
            for (int i = 0; i < written.length(); i++) {
                sum += written.get(i);
            }
            if (sum == last) {
                return;
            }
            last = sum;
            Thread.sleep(200);
        }
    }

    private static boolean allRead(AtomicLongArray readBefore) {
        for (int i = 0; i < readBefore.length(); i++) {
            if (readBefore.get(i) < 0) {
                return false;
            }
        }
        return true;
    }

    private static void write(FrameConn conn, int payload, AtomicBoolean stop, AtomicLongArray written, int c) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(payload);
        try {
            while (!stop.get()) {
                conn.writeFrame(1, bytes);
                written.incrementAndGet(c);
            }
        } catch (Exception e) {
            // closing the connection ends the writer
        }
    }

    private static void read(FrameConn conn, int c, CountDownLatch go, AtomicLongArray readBefore,
            AtomicLongArray frames) {
        try {
            go.await();
            while (true) {
                try (Frame frame = conn.readFrame()) {
                    long all = READ.getAndIncrement();
                    if (frames.getAndIncrement(c) == 0) {
                        readBefore.set(c, all);
                    }
                }
            }
        } catch (Exception e) {
            // closing the connection ends the reader
        }
    }
}
