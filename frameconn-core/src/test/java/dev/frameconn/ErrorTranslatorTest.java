package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.frameconn.heartbeat.ManualTicker;
import dev.frameconn.internal.Deadlines;
import dev.frameconn.transport.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ErrorTranslator} on exceptions made by hand, over an in-memory
 * transport: every rule of its class comment, and that a timeout is remembered
 * once and aborts the transport every time.
 */
@Timeout(10)
class ErrorTranslatorTest {
    private final LoopTransport wire = new LoopTransport(new byte[8], 8);
    private final Deadlines deadlines = new Deadlines(new ManualTicker(), 0, kind -> {});
    private final Lifecycle lifecycle = new Lifecycle();
    private final ErrorTranslator errors = new ErrorTranslator(wire, deadlines, lifecycle);

    @AfterEach
    void stop() {
        deadlines.stop();
    }

    @Test
    void resetsAreToldByTheirMessage() {
        assertThat(ErrorTranslator.isReset(new IOException("Connection reset"))).isTrue();
        assertThat(ErrorTranslator.isReset(new IOException("Connection reset by peer"))).isTrue();
        assertThat(ErrorTranslator.isReset(new IOException("Broken pipe"))).isTrue();
        assertThat(ErrorTranslator.isReset(new IOException("write failed: Broken pipe (32)"))).isTrue();
        assertThat(ErrorTranslator.isReset(new IOException("No route to host"))).isFalse();
        assertThat(ErrorTranslator.isReset(new IOException((String) null))).isFalse();
    }

    @Test
    void aResetBecomesConnectionReset() {
        IOException reset = new IOException("Connection reset by peer");
        assertThat(errors.translate(reset)).isInstanceOfSatisfying(ConnectionResetException.class,
                e -> assertThat(e.getCause()).isSameAs(reset));
        assertThat(errors.translate(new IOException("Broken pipe"))).isInstanceOf(ConnectionResetException.class);
    }

    @Test
    void aClosedChannelIsAShutdownAndAnInterruptStays() {
        ClosedChannelException closed = new ClosedChannelException();
        assertThat(errors.translate(closed)).isInstanceOfSatisfying(ConnectionShutdownException.class,
                e -> assertThat(e.getCause()).isSameAs(closed));
        ClosedByInterruptException interrupted = new ClosedByInterruptException();
        assertThat(errors.translate(interrupted)).isSameAs(interrupted);
    }

    @Test
    void otherErrorsAndOwnExceptionsStayAsTheyAre() {
        IOException other = new IOException("No route to host");
        assertThat(errors.translate(other)).isSameAs(other);
        FrameConnException own = new EndOfStreamException();
        assertThat(errors.translate(own)).isSameAs(own);
        // an own exception whose message reads like a reset is not translated again
        ConnectionResetException already = new ConnectionResetException(new IOException("Connection reset"));
        assertThat(errors.translate(already)).isSameAs(already);
    }

    @Test
    void afterATimeoutEveryErrorIsThatTimeout() {
        errors.timedOut(FrameTimeoutException.Kind.DEADLINE);
        assertThat(wire.isOpen()).as("the transport is aborted").isFalse();
        IOException abort = new ClosedChannelException();
        assertThat(errors.translate(abort)).isInstanceOfSatisfying(FrameTimeoutException.class, e -> {
            assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.DEADLINE);
            assertThat(e.timeout()).isEqualTo(Duration.ZERO);
            assertThat(e.getCause()).isSameAs(abort);
        });
        // a second timer callback aborts again but the first kind is kept
        errors.timedOut(FrameTimeoutException.Kind.READ_IDLE);
        assertThat(errors.translate(new IOException("Connection reset")))
                .isInstanceOfSatisfying(FrameTimeoutException.class,
                        e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.DEADLINE));
    }

    @Test
    void everyTimerCallbackAbortsTheTransport() {
        CountingTransport counted = new CountingTransport();
        ErrorTranslator other = new ErrorTranslator(counted, deadlines, lifecycle);
        other.timedOut(FrameTimeoutException.Kind.WRITE_IDLE);
        other.timedOut(FrameTimeoutException.Kind.READ_IDLE);
        assertThat(counted.aborts).isEqualTo(2);
        assertThat(other.translate(new IOException("x"))).isInstanceOfSatisfying(FrameTimeoutException.class,
                e -> assertThat(e.kind()).isEqualTo(FrameTimeoutException.Kind.WRITE_IDLE));
    }

    /** Counts aborts; nothing else is called. */
    private static final class CountingTransport implements Transport {
        int aborts;

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdownOutput() {}

        @Override
        public void close() {}

        @Override
        public void abort() {
            aborts++;
        }

        @Override
        public boolean isOpen() {
            return aborts == 0;
        }
    }
}
