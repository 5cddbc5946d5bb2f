package dev.frameconn;

import static dev.frameconn.TestFrames.concat;
import static dev.frameconn.TestFrames.frame;
import static dev.frameconn.TestFrames.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.heartbeat.Await;
import dev.frameconn.testkit.Fixtures;
import dev.frameconn.wire.FrameHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A header the read side cannot trust (reserved type bits, a length over the
 * maximum) gives the pooled read buffer back at once, while the connection is
 * still open, not only when it closes; a reader inside when the connection
 * closes gives it back on its way out. Over real TCP with a raw peer, whose one
 * write puts a frame and the bad header behind it into the pooled read buffer.
 */
@Timeout(30)
class InboundReleaseTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    @Test
    void aProtocolErrorGivesTheReadBufferBack() throws Exception {
        Fixtures.RawPeer peer = f.rawPeer(f.config());
        peer.send(concat(frame(1, new byte[1000]), header(0x2000_0000, 0)));
        readFirstAndHoldTheBuffer(peer.conn());
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(FrameProtocolException.class);
        assertThat(f.pool.outstanding()).as("pooled buffers after the protocol error, connection open").isZero();
        assertThat(peer.conn().isOpen()).isTrue();
    }

    @Test
    void aFrameTooLargeGivesTheReadBufferBack() throws Exception {
        Fixtures.RawPeer peer = f.rawPeer(f.config().withMaxPayloadLength(2000));
        peer.send(concat(frame(1, new byte[1000]), header(2, 2001)));
        readFirstAndHoldTheBuffer(peer.conn());
        assertThatThrownBy(peer.conn()::readFrame).isInstanceOf(FrameTooLargeException.class);
        assertThat(f.pool.outstanding()).as("pooled buffers after the oversized header, connection open").isZero();
        assertThat(peer.conn().isOpen()).isTrue();
    }

    @Test
    void aReaderInsideWhenClosedGivesItsBufferBackOnTheWayOut() throws Exception {
        Fixtures.RawPeer peer = f.rawPeer(f.config());
        // the header and 100 of 3000 bytes: the reader waits holding the payload and the read buffer
        peer.send(java.util.Arrays.copyOf(frame(1, new byte[3000]), FrameHeader.LENGTH + 100));
        java.util.concurrent.Future<Frame> read = f.submitAndAwaitBlocked(peer.conn()::readFrame);
        // the reader moves the bytes into the pooled buffers on its own thread
        Await.until("payload and read buffer held by the waiting reader", () -> f.pool.outstanding() == 2,
                Fixtures.WAIT);
        peer.conn().close();
        assertThat(Fixtures.failure(read, Fixtures.WAIT)).isInstanceOf(ConnectionShutdownException.class);
        assertThat(f.pool.outstanding()).as("pooled buffers once the reader is out").isZero();
    }

    /** The first frame needs the pooled buffer (it is larger than the probe); the header behind it stays there. */
    private void readFirstAndHoldTheBuffer(FrameConn conn) throws Exception {
        try (Frame first = conn.readFrame()) {
            assertThat(first.length()).isEqualTo(1000);
        }
        assertThat(f.pool.outstanding()).as("the read buffer, holding the next header").isEqualTo(1);
    }
}
