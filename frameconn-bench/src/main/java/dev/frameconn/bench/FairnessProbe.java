package dev.frameconn.bench;

import dev.frameconn.ConnectionShutdownException;
import dev.frameconn.Frame;
import dev.frameconn.FrameConn;
import dev.frameconn.FrameServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A diagnostic, not a benchmark: runs timed rounds of the connections workload
 * (frameconn, virtual threads, 64 KiB frames) and records when every frame was
 * written and read, to show which connections are slow and why: a late start,
 * a stall in the middle, or fewer turns throughout.
 *
 * <p>Usage: {@code java -cp frameconn-bench.jar dev.frameconn.bench.FairnessProbe
 * [connections=256] [rounds=5] [ms=250] [per-frame|batch]}.
 */
public final class FairnessProbe {
    private static final int MAX_FRAMES = 1 << 14;

    private FairnessProbe() {
    }

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long ms = args.length > 2 ? Long.parseLong(args[2]) : 250;
        boolean batch = args.length > 3 && args[3].equals("batch");
        for (int r = 0; r < rounds; r++) {
            round(connections, ms, batch);
        }
    }

    private static void round(int connections, long ms, boolean batch) throws Exception {
        int payload = 64 << 10;
        ByteBuffer source = Wire.payload(payload);
        long[][] sendAt = new long[connections][MAX_FRAMES];
        long[][] recvAt = new long[connections][MAX_FRAMES];
        int[] sent = new int[connections];
        int[] got = new int[connections];
        long[] began = new long[connections];
        long[] ended = new long[connections];
        Round round = Round.timed(ms * 1_000_000L);
        List<FrameConn> conns = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (FrameServer server = FrameServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                FrameconnContender.config())) {
            for (int i = 0; i < connections; i++) {
                int c = i;
                FrameConn client = FrameConn.connect(server.localAddress(), FrameconnContender.config());
                FrameConn accepted = server.accept();
                conns.add(client);
                conns.add(accepted);
                ByteBuffer view = source.duplicate();
                threads.add(Thread.ofVirtual().name("probe-send-" + c).start(() -> {
                    try {
                        began[c] = round.awaitGo();
                        int n = 0;
                        if (batch) {
                            ByteBuffer[] payloads = new ByteBuffer[Wire.batchFrames(payload)];
                            for (int k = 0; k < payloads.length; k++) {
                                payloads[k] = view.duplicate();
                            }
                            FrameconnBatch batcher = new FrameconnBatch(client);
                            while (!round.stopped()) {
                                batcher.write(Wire.TYPE, payloads, payloads.length);
                                for (int k = 0; k < payloads.length; k++) {
                                    sendAt[c][Math.min(n++, MAX_FRAMES - 1)] = System.nanoTime();
                                }
                            }
                        } else {
                            while (!round.stopped()) {
                                client.writeFrame(Wire.TYPE, view);
                                sendAt[c][Math.min(n++, MAX_FRAMES - 1)] = System.nanoTime();
                            }
                        }
                        sent[c] = n;
                        client.shutdown();
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                }));
                threads.add(Thread.ofVirtual().name("probe-recv-" + c).start(() -> {
                    int n = 0;
                    try {
                        while (true) {
                            try (Frame f = accepted.readFrame()) {
                                recvAt[c][Math.min(n++, MAX_FRAMES - 1)] = System.nanoTime();
                            } catch (ConnectionShutdownException e) {
                                break;
                            }
                        }
                        ended[c] = System.nanoTime();
                        got[c] = n;
                        accepted.shutdown();
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                }));
            }
            long start = round.start();
            round.runToEnd();
            for (Thread t : threads) {
                t.join();
            }
            report(start, connections, sent, got, began, ended, sendAt, recvAt, payload);
            inRound(start, start + ms * 1_000_000L, connections, got, began, ended, recvAt);
        } finally {
            for (FrameConn c : conns) {
                c.close();
            }
        }
    }

    /**
     * The same spread over the round's own time only: frames read before the
     * round stopped, over the time from the sender's start to the stop. Set
     * beside the bench's spread (to the end of stream), it shows how much of
     * the bench's spread is the drain after the stop.
     */
    private static void inRound(long start, long stop, int n, int[] got, long[] began, long[] ended, long[][] recvAt) {
        double min = Double.MAX_VALUE;
        double max = 0;
        long activeMin = Long.MAX_VALUE;
        long activeMax = 0;
        int late = 0;
        for (int c = 0; c < n; c++) {
            long from = Math.max(start, began[c]);
            long active = ended[c] - from;
            activeMin = Math.min(activeMin, active);
            activeMax = Math.max(activeMax, active);
            if (from >= stop) {
                late++;
                continue;
            }
            int k = 0;
            while (k < Math.min(got[c], MAX_FRAMES) && recvAt[c][k] <= stop) {
                k++;
            }
            double rate = (double) k / (stop - from);
            min = Math.min(min, rate);
            max = Math.max(max, rate);
        }
        System.out.printf(Locale.ROOT,
                "  in-round spread (frames read by the stop / time from start to stop)=%.2f;"
                        + " bench active time min/max=%.0f/%.0f ms (ratio %.2f); senders that began after the stop=%d%n",
                max == 0 ? 0 : min / max, activeMin / 1e6, activeMax / 1e6, (double) activeMin / activeMax, late);
    }

    private static void report(long start, int n, int[] sent, int[] got, long[] began, long[] ended,
            long[][] sendAt, long[][] recvAt, int payload) {
        double[] rate = new double[n];
        long[] firstRecv = new long[n];
        long[] maxGap = new long[n];
        long[] lastRecv = new long[n];
        long[] startLag = new long[n];
        for (int c = 0; c < n; c++) {
            long active = ended[c] - Math.max(start, began[c]);
            rate[c] = (double) got[c] * payload / active;
            startLag[c] = began[c] - start;
            firstRecv[c] = got[c] > 0 ? recvAt[c][0] - start : -1;
            lastRecv[c] = got[c] > 0 ? recvAt[c][Math.min(got[c], MAX_FRAMES) - 1] - start : -1;
            long prev = start;
            long gap = 0;
            for (int k = 0; k < Math.min(got[c], MAX_FRAMES); k++) {
                gap = Math.max(gap, recvAt[c][k] - prev);
                prev = recvAt[c][k];
            }
            maxGap[c] = gap;
        }
        Integer[] order = new Integer[n];
        for (int c = 0; c < n; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (a, b) -> Double.compare(rate[a], rate[b]));
        int[] frames = got.clone();
        Arrays.sort(frames);
        double max = rate[order[n - 1]];
        System.out.printf(Locale.ROOT,
                "round: spread=%.2f frames min/p10/med/p90/max=%d/%d/%d/%d/%d total=%d endMax=%.0fms%n",
                rate[order[0]] / max, frames[0], frames[n / 10], frames[n / 2], frames[n * 9 / 10], frames[n - 1],
                Arrays.stream(got).sum(), Arrays.stream(ended).max().getAsLong() / 1e6 - start / 1e6);
        System.out.println("  conn frames rate/max startLag firstRecv lastRecv end maxGap(ms) firstSend");
        for (int k = 0; k < n; k++) {
            if (k >= 4 && k < n - 3) {
                continue;
            }
            int c = order[k];
            System.out.printf(Locale.ROOT, "  %4d %4d %.2f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f%n", c, got[c],
                    rate[c] / max, startLag[c] / 1e6, firstRecv[c] / 1e6, lastRecv[c] / 1e6,
                    (ended[c] - start) / 1e6, maxGap[c] / 1e6, sent[c] > 0 ? (sendAt[c][0] - start) / 1e6 : -1.0);
        }
        long[] gaps = maxGap.clone();
        Arrays.sort(gaps);
        long[] firsts = firstRecv.clone();
        Arrays.sort(firsts);
        System.out.printf(Locale.ROOT, "  maxGap med/p90/max=%.1f/%.1f/%.1f ms firstRecv med/p90/max=%.1f/%.1f/%.1f ms%n",
                gaps[n / 2] / 1e6, gaps[n * 9 / 10] / 1e6, gaps[n - 1] / 1e6, firsts[n / 2] / 1e6,
                firsts[n * 9 / 10] / 1e6, firsts[n - 1] / 1e6);
    }
}
