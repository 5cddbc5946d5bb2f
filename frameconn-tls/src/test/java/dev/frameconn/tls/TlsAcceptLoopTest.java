package dev.frameconn.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The acceptor survives failed TCP accepts such as running out of file
 * descriptors: it counts them, backs off, and serves the next real client; a
 * close during the back-off is prompt. The failures come from a stand-in for
 * the listener's accept (a JVM cannot lower its own descriptor limit), the
 * clients are real.
 */
class TlsAcceptLoopTest {
    private static final long QUICK_MS = 5_000;
    /** The errno text Linux gives for EMFILE, as the JDK reports it. */
    private static final String EMFILE = "Too many open files";

    @RegisterExtension
    final TlsFixtures f = new TlsFixtures();

    /** Fails the first {@code failures} accepts with EMFILE's message, then accepts for real. */
    private static TlsFrameServer.Acceptor failingFirst(AtomicInteger failures) {
        return listener -> {
            if (failures.getAndDecrement() > 0) {
                throw new IOException(EMFILE);
            }
            return listener.accept();
        };
    }

    @Test
    void transientAcceptFailuresAreCountedAndTheServerGoesOnServing() throws Exception {
        AtomicInteger failures = new AtomicInteger(5);
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(),
                f.config(), failingFirst(failures), TlsFrameServer.MIN_BACKOFF_NANOS,
                TlsFrameServer.MAX_BACKOFF_NANOS)) {
            f.assertServes(server, TlsFixtures.clientTls(), 1);
            assertThat(server.acceptFailures()).isEqualTo(5);
            assertThat(server.lastAcceptFailure()).hasMessage(EMFILE);
            assertThat(server.isOpen()).isTrue();

            // a second shortage after a success: survived just the same
            failures.set(3);
            f.assertServes(server, TlsFixtures.clientTls(), 2); // taken by the accept already waiting
            f.assertServes(server, TlsFixtures.clientTls(), 3); // after three more failures
            assertThat(server.acceptFailures()).isEqualTo(8);
        }
    }

    @Test
    void closeDuringTheBackOffIsPrompt() throws Exception {
        long minute = TimeUnit.MINUTES.toNanos(1);
        TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(), f.config(),
                listener -> {
                    throw new IOException(EMFILE);
                }, minute, minute);
        Future<TlsConnection> blocked = f.submit(server::accept);
        awaitAtLeast(server::acceptFailures, 1); // the acceptor now waits a minute before it tries again
        long start = System.nanoTime();
        server.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(QUICK_MS);
        assertThat(server.threadsRunning()).isZero();
        assertThat(server.acceptFailures()).isEqualTo(1);
        assertThatThrownBy(() -> TlsFixtures.get(blocked)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aListenerClosedUnderTheServerIsReportedByAccept() throws Exception {
        try (TlsFrameServer server = TlsFrameServer.bind(TlsFixtures.loopback(), TlsFixtures.serverTls(),
                f.config(), listener -> {
                    throw new ClosedChannelException();
                }, TlsFrameServer.MIN_BACKOFF_NANOS, TlsFrameServer.MAX_BACKOFF_NANOS)) {
            assertThatThrownBy(server::accept).isInstanceOf(IOException.class)
                    .hasMessageContaining("the listening socket failed")
                    .hasCauseInstanceOf(ClosedChannelException.class);
            assertThat(server.acceptFailures()).as("not a transient failure").isZero();
            assertThat(server.lastAcceptFailure()).isNull();
        }
    }

    /** Polls every millisecond until {@code value} reaches {@code least}; fails after 20 s. */
    private static void awaitAtLeast(LongSupplier value, long least) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (value.getAsLong() < least) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("value=" + value.getAsLong() + " did not reach " + least + " within 20 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
