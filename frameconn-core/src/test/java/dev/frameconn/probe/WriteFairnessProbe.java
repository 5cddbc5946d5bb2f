package dev.frameconn.probe;

import dev.frameconn.Frame;
import dev.frameconn.FrameBatch;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Run by {@code WriteFairnessTest} in a child JVM with a small virtual-thread
 * scheduler: {@code connections} loopback connections, each written as fast as
 * it can by a virtual thread ({@code frame} or {@code batch}), read by a
 * platform thread. The bound is on work, not time, so that a busy machine
 * does not change it: for each connection, how many frames the others had
 * written when its own first write returned. Exit status 0 if that is at most
 * {@code bound} for every connection, 1 if not (or if a connection got
 * nothing through in 60 s).
 *
 * <p>Arguments: mode (frame|batch), connections, payload bytes, bound in frames.
 */
public final class WriteFairnessProbe {
    private WriteFairnessProbe() {}

    public static void main(String[] args) throws Exception {
        boolean batch = args[0].equals("batch");
        int connections = Integer.parseInt(args[1]);
        int payload = Integer.parseInt(args[2]);
        long bound = Long.parseLong(args[3]);
        long boundNanos = TimeUnit.SECONDS.toNanos(60);
        AtomicLongArray firstFrame = new AtomicLongArray(connections);
        AtomicLongArray frames = new AtomicLongArray(connections);
        FrameConn[] clients = new FrameConn[connections];
        FrameConn[] peers = new FrameConn[connections];
        Thread[] threads = new Thread[2 * connections];
        var go = new java.util.concurrent.CountDownLatch(1);
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        long start;
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < connections; i++) {
                clients[i] = FrameConn.connect(server.localAddress());
                peers[i] = server.accept();
            }
            for (int i = 0; i < connections; i++) {
                int c = i;
                threads[2 * c] = Thread.ofPlatform().name("reader-" + c).start(() -> read(peers[c], c, firstFrame, frames));
                threads[2 * c + 1] = Thread.ofVirtual().name("writer-" + c)
                        .start(() -> write(clients[c], c, batch, payload, go, stop));
            }
            start = System.nanoTime();
            go.countDown();
            long deadline = start + boundNanos;
            while (System.nanoTime() < deadline && !allArrived(firstFrame)) {
                Thread.sleep(1);
            }
            Thread.sleep(50); // let the counts grow a little for the report
            stop.set(true);
            for (int i = 0; i < connections; i++) {
                threads[2 * i + 1].join(TimeUnit.SECONDS.toMillis(10));
                clients[i].close();
                peers[i].close(); // wakes its reader
            }
            for (int i = 0; i < connections; i++) {
                threads[2 * i].join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        int late = 0;
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < connections; i++) {
            long at = firstFrame.get(i);
            long before = WRITTEN_BEFORE.get(i);
            boolean ok = at != 0 && before <= bound;
            late += ok ? 0 : 1;
            line.append(String.format(" %d:%s/%d/%d", i, at == 0 ? "never" : (at - start) / 1_000_000 + "ms", before,
                    frames.get(i)));
        }
        System.out.println("per connection: first frame received (ms after start) / frames the others had written"
                + " when its first write returned / frames received:" + line);
        System.out.println("late=" + late + " of " + connections);
        System.exit(late == 0 ? 0 : 1);
    }

    /** Frames written by all writers so far. */
    private static final java.util.concurrent.atomic.AtomicLong WRITTEN = new java.util.concurrent.atomic.AtomicLong();
    /** Per connection: {@link #WRITTEN} by the others when its first write returned. */
    private static final AtomicLongArray WRITTEN_BEFORE = new AtomicLongArray(1024);

    private static boolean allArrived(AtomicLongArray firstFrame) {
        for (int i = 0; i < firstFrame.length(); i++) {
            if (firstFrame.get(i) == 0) {
                return false;
            }
        }
        return true;
    }

    private static void write(FrameConn conn, int c, boolean batch, int payload, java.util.concurrent.CountDownLatch go,
            java.util.concurrent.atomic.AtomicBoolean stop) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(payload);
        FrameBatch frames = new FrameBatch(16);
        ByteBuffer[] views = new ByteBuffer[16];
        for (int i = 0; i < views.length; i++) {
            views[i] = bytes.duplicate(); // a view per slot: the batch gathers large payloads by buffer object
        }
        try {
            go.await();
            boolean first = true;
            while (!stop.get()) {
                if (batch) {
                    for (ByteBuffer view : views) {
                        frames.add(1, view);
                    }
                    conn.writeBatch(frames);
                } else {
                    conn.writeFrame(1, bytes);
                }
                long all = WRITTEN.addAndGet(batch ? views.length : 1);
                if (first) {
                    WRITTEN_BEFORE.set(c, all - (batch ? views.length : 1));
                    first = false;
                }
            }
        } catch (Exception e) {
            System.out.println("writer: " + e);
        }
    }

    private static void read(FrameConn conn, int c, AtomicLongArray firstFrame, AtomicLongArray frames) {
        try {
            while (true) {
                try (Frame frame = conn.readFrame()) {
                    if (frames.getAndIncrement(c) == 0) {
                        firstFrame.set(c, System.nanoTime());
                    }
                }
            }
        } catch (Exception e) {
            // the writer's shutdown ends the stream
        }
    }
}
