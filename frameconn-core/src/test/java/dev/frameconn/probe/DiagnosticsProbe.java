package dev.frameconn.probe;

import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameServer;
import dev.frameconn.FrameTimeoutException;
import dev.frameconn.LeakDetector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Run by {@code MinimalRuntimeTest} in a child JVM whose runtime may lack
 * {@code jdk.jfr} and {@code java.logging}: goes through every Flight Recorder
 * hook of {@code FrameConn} (a read timeout, both shutdowns) and leaks one
 * frame, then waits for the leak report. Exit status 0 when the report came.
 */
public final class DiagnosticsProbe {
    private DiagnosticsProbe() {}

    public static void main(String[] args) throws Exception {
        System.out.println("jdk.jfr present=" + ModuleLayer.boot().findModule("jdk.jfr").isPresent());
        System.out.println("java.logging present=" + ModuleLayer.boot().findModule("java.logging").isPresent());
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                FrameConn client = FrameConn.connect(server.localAddress());
                FrameConn peer = server.accept()) {
            client.writeFrame(9, new byte[] {1, 2});
            readAndForget(peer);
            peer.setIdleTimeout(Duration.ofMillis(100));
            try (Frame unexpected = peer.readFrame()) {
                throw new AssertionError("no second frame was sent, got type=" + unexpected.type());
            } catch (FrameTimeoutException expected) {
                System.out.println("timeout: " + expected.getMessage());
            }
            System.out.println("client shutdown: " + client.shutdown(Duration.ofSeconds(5)));
            System.out.println("peer shutdown: " + peer.shutdown(Duration.ofSeconds(5)));
        }
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (LeakDetector.leaksReported() == 0 && System.nanoTime() < until) {
            System.gc(); // detection needs a collection; nothing else to wait for
            Thread.sleep(10);
        }
        System.out.println("leaks reported=" + LeakDetector.leaksReported());
        System.exit(LeakDetector.leaksReported() == 1 ? 0 : 1);
    }

    private static void readAndForget(FrameConn conn) throws IOException {
        Frame frame = conn.readFrame();
        System.out.println("read type=" + frame.type() + " length=" + frame.length() + ", not closed");
    }
}
