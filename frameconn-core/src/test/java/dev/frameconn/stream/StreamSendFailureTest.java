package dev.frameconn.stream;

import static dev.frameconn.stream.Async.async;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.FrameConnException;
import dev.frameconn.heartbeat.Await;
import dev.frameconn.heartbeat.Loopback;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a stream send ends when it does not end well, over real loopback TCP:
 * the connection fails half-way (the source's reader thread is stopped and
 * ended, the sending direction is broken), the sending thread is interrupted
 * (the interrupt is kept), the source fails without a message (its class names
 * it, on both sides, each side with its own wording); and the source edges a
 * send must take in its stride: a channel read that returns 0, an empty
 * stream (the observer sees no chunk). Also {@link StreamConn#close()},
 * {@link StreamConn#receiveChannel(int)} and {@link StreamConn#toString()}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamSendFailureTest {
    private static final int DATA = 5;
    private final Loopback net = new Loopback();

    @AfterEach
    void noLeaks() throws Exception {
        net.close();
    }

    /** The current stack of {@code t} includes {@code StreamSender.method}. */
    private static boolean inSender(Thread t, String method) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(StreamSender.class.getName()) && e.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aSendThatFailsHalfWayStopsItsSourceReaderAndBreaksTheSendingDirection() throws Exception {
        StreamConn[] s = net.streamPair(net.heartbeatConfig());
        assertThat(s[0].toString()).startsWith("StreamConn[HeartbeatConn[").endsWith(", send=IDLE, receive=IDLE]");
        AtomicReference<Thread> readerThread = new AtomicReference<>();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                readerThread.set(Thread.currentThread());
                return len; // whatever the array holds: never ends
            }
        };
        CompletableFuture<Long> sending = async(() -> s[0].send(DATA, endless));
        StreamInput in = s[1].receive(DATA);
        assertThat(in.readNBytes(1000)).hasSize(1000); // the send is under way
        s[1].close();
        assertThat(s[1].heartbeatConn().isOpen()).isFalse();
        in.close();

        assertThatThrownBy(() -> sending.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOf(StreamBrokenException.class).isInstanceOf(FrameConnException.class);
        // the reader was stopped and joined before the send returned: not left reading the source
        assertThat(readerThread.get().isAlive()).as("the source's reader thread after the failed send").isFalse();
        assertThatThrownBy(() -> s[0].send(DATA, new ByteArrayInputStream(new byte[] {1})))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sendState=BROKEN");
        assertThat(s[0].toString()).endsWith(", send=BROKEN, receive=IDLE]");
    }

    @Test
    void anInterruptWhileWaitingForAChunkEndsTheSendAndKeepsTheFlag() throws Exception {
        StreamConn[] s = net.streamPair(net.heartbeatConfig());
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream stuck = new InputStream() {
            @Override
            public int read() {
                return -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                entered.countDown();
                boolean done = false;
                while (!done) {
                    try {
                        done = release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        // nobody interrupts the reader; wait on
                    }
                }
                return -1;
            }
        };
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean flagKept = new AtomicBoolean();
        Thread sender = Thread.ofPlatform().name("test-sender").start(() -> {
            try {
                s[0].send(DATA, stuck);
            } catch (Throwable e) {
                failure.set(e);
            }
            flagKept.set(Thread.currentThread().isInterrupted());
        });
        assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
        Await.until("the sender waits for a chunk",
                () -> sender.getState() == Thread.State.WAITING && inSender(sender, "pump"));
        sender.interrupt();
        // the source read cannot be cut short: the send gives it its grace, and then it returns
        Await.until("the sender gives the source read its grace",
                () -> sender.getState() == Thread.State.TIMED_WAITING && inSender(sender, "joinQuietly"));
        release.countDown();
        sender.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(sender.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(InterruptedIOException.class)
                .hasMessage("interrupted while sending a stream");
        assertThat(flagKept).as("the interrupt flag after the send").isTrue();
        assertThatThrownBy(() -> s[0].send(DATA, InputStream.nullInputStream()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sendState=BROKEN");
    }

    @Test
    void aSourceFailureWithoutAMessageIsNamedByItsClassOnBothSides() throws Exception {
        StreamConn[] s = net.streamPair(net.heartbeatConfig());
        IOException noMessage = new IOException();
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw noMessage;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw noMessage;
            }
        };
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, failing));
        assertThatThrownBy(() -> s[1].receive(DATA, OutputStream.nullOutputStream()))
                .isInstanceOfSatisfying(StreamSourceException.class, e -> {
                    assertThat(e.sourceMessage()).isEqualTo("java.io.IOException");
                    assertThat(e.isRemote()).isTrue();
                    assertThat(e).hasMessage("frameconn: the sender's source failed: java.io.IOException");
                });
        assertThatThrownBy(() -> sent.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(StreamSourceException.class, e -> {
                    assertThat(e.sourceMessage()).isEqualTo("java.io.IOException");
                    assertThat(e.isRemote()).isFalse();
                    assertThat(e).hasMessage(
                            "frameconn: the source failed (message sent to the peer): java.io.IOException");
                    assertThat(e.getCause()).isSameAs(noMessage);
                });

        // a blank message is no message either; and the connection carries on
        InputStream blank = new InputStream() {
            @Override
            public int read() {
                throw new IllegalStateException(" ");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw new IllegalStateException(" ");
            }
        };
        CompletableFuture<Long> again = async(() -> s[0].send(DATA, blank));
        assertThatThrownBy(() -> s[1].receive(DATA, OutputStream.nullOutputStream()))
                .isInstanceOfSatisfying(StreamSourceException.class,
                        e -> assertThat(e.sourceMessage()).isEqualTo("java.lang.IllegalStateException"));
        assertThatThrownBy(() -> again.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(StreamSourceException.class);
    }

    @Test
    void aChannelReadThatReturnsZeroIsNotTheEnd() throws Exception {
        StreamConn[] s = net.streamPair(net.heartbeatConfig());
        ReadableByteChannel zeroFirst = new ReadableByteChannel() {
            private int calls;

            @Override
            public int read(ByteBuffer dst) {
                calls++;
                if (calls == 1) {
                    return 0; // a channel may read nothing and still have more
                }
                if (calls == 2) {
                    dst.put(new byte[] {1, 2, 3});
                    return 3;
                }
                return -1;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, zeroFirst));
        ByteBuffer got = ByteBuffer.allocate(10);
        try (ReadableByteChannel in = s[1].receiveChannel(DATA)) {
            while (in.read(got) >= 0) {
                // to the end
            }
        }
        assertThat(got.flip().remaining()).isEqualTo(3);
        assertThat(new byte[] {got.get(), got.get(), got.get()}).containsExactly(1, 2, 3);
        assertThat(sent.get(20, TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void anObserverSeesNoChunkOfAnEmptyStreamAndEachChunkOfAnother() throws Exception {
        StreamConn[] s = net.streamPair(net.heartbeatConfig());
        List<Integer> seen = new ArrayList<>();
        StreamConn.ChunkObserver observer = chunk -> seen.add(chunk.remaining()); // on the one reader thread
        CompletableFuture<Long> sent = async(() -> s[0].send(DATA, InputStream.nullInputStream(), observer)
                + s[0].send(DATA, new ByteArrayInputStream(new byte[] {7, 8}), observer));
        try (StreamInput in = s[1].receive(DATA)) {
            assertThat(in.read()).isEqualTo(-1);
        }
        try (StreamInput in = s[1].receive(DATA)) {
            assertThat(in.readAllBytes()).containsExactly(7, 8);
        }
        assertThat(sent.get(20, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(seen).containsExactly(2);
    }
}
