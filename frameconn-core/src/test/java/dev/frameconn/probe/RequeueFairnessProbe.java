package dev.frameconn.probe;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run by {@code RequeueFairnessTest} in a child JVM whose virtual-thread
 * scheduler has one carrier: {@code connections} loopback connections, each
 * written and read as fast as they go by two virtual threads of this process
 * (so their sockets rarely block), and meanwhile, one after another,
 * {@code latecomers} virtual threads started by a platform thread, as a
 * server's accept loop or a timer would start them. The JDK queues a thread
 * started or woken by a platform thread in a shared queue, which a carrier
 * looks at only when its own queue is empty; {@code Thread.yield} puts a
 * busy thread back on its carrier's own queue. The measure is work, not time:
 * frames the busy connections read between a latecomer's start and its first
 * instruction. Exit status 0 if the median latecomer waited at most
 * {@code bound} frames, 1 if not (or if one never ran within 20 s).
 *
 * <p>Arguments: connections, payload bytes, latecomers, bound in frames.
 */
public final class RequeueFairnessProbe {
    private static final AtomicLong READ = new AtomicLong();

    private RequeueFairnessProbe() {}

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        int payload = Integer.parseInt(args[1]);
        int latecomers = Integer.parseInt(args[2]);
        long bound = Long.parseLong(args[3]);
        AtomicBoolean stop = new AtomicBoolean();
        List<FrameConn> conns = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long[] waited = new long[latecomers];
        boolean allRan = true;
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < connections; i++) {
                FrameConn client = FrameConn.connect(server.localAddress());
                FrameConn peer = server.accept();
                conns.add(client);
                conns.add(peer);
                threads.add(Thread.ofVirtual().name("writer-" + i).start(() -> write(client, payload, stop)));
                threads.add(Thread.ofVirtual().name("reader-" + i).start(() -> read(peer)));
            }
            // let the busy connections get going (and their socket buffers grow) before the first latecomer
            long warm = READ.get() + 200L * connections;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (READ.get() < warm && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            for (int i = 0; i < latecomers && allRan; i++) {
                long[] ranAt = new long[1];
                CountDownLatch ran = new CountDownLatch(1);
                long before = READ.get();
                Thread.ofVirtual().name("latecomer-" + i).start(() -> {
                    ranAt[0] = READ.get();
                    ran.countDown();
                });
                allRan = ran.await(20, TimeUnit.SECONDS);
                waited[i] = allRan ? ranAt[0] - before : Long.MAX_VALUE;
                if (!allRan) {
                    System.out.println("latecomer " + i + " did not run within 20 s");
                }
                Thread.sleep(5);
            }
        } finally {
            stop.set(true);
            for (FrameConn c : conns) {
                c.close(); // wakes blocked readers and writers
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        long[] sorted = allRan ? waited.clone() : new long[] {Long.MAX_VALUE};
        Arrays.sort(sorted);
        long median = sorted[sorted.length / 2];
        System.out.println("frames read by " + connections + " busy connections while each latecomer waited: "
                + Arrays.toString(waited) + "; median=" + median + " bound=" + bound);
        boolean ok = allRan && median <= bound;
        System.out.println(ok ? "latecomers on time" : "latecomers starved");
        System.exit(ok ? 0 : 1);
    }

    private static void write(FrameConn conn, int payload, AtomicBoolean stop) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(payload);
        try {
            while (!stop.get()) {
                conn.writeFrame(1, bytes);
            }
        } catch (Exception e) {
            if (!stop.get()) {
                System.out.println("writer: " + e);
            }
        }
    }

    private static void read(FrameConn conn) {
        try {
            while (true) {
                try (Frame frame = conn.readFrame()) {
                    READ.incrementAndGet();
                }
            }
        } catch (Exception e) {
            // closed at the end
        }
    }
}
