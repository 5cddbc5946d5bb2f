package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.frameconn.testkit.Fixtures;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With reuseFrames on (and no leak detection), a closed frame object is reused so that reads allocate nothing. */
class FrameRecyclingTest {
    @RegisterExtension
    final Fixtures f = new Fixtures();

    /** Before the fixtures' leak check, which needs the detector on. */
    @AfterEach
    void restoreLeakDetection() {
        LeakDetector.enable();
    }

    @Test
    void closedFrameIsReusedForTheNextReadWithFreshContents() throws Exception {
        LeakDetector.disable();
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config().withReuseFrames(true)));
        peer.send(HexFormat.of().parseHex("0000000100000002aabb" + "00000002000000030102ff" + "0000000300000000"));
        Frame first = peer.conn().readFrame();
        assertThat(first.toByteArray()).containsExactly(0xaa, 0xbb);
        first.close();
        assertThatThrownBy(first::payload).isInstanceOf(IllegalStateException.class);
        Frame second = peer.conn().readFrame();
        assertThat(second).isSameAs(first);
        assertThat(second.type()).isEqualTo(2);
        assertThat(second.length()).isEqualTo(3);
        assertThat(second.toByteArray()).containsExactly(1, 2, 0xff);
        // a frame still open is not reused: the next read gets another object
        Frame third = peer.conn().readFrame();
        assertThat(third).isNotSameAs(second);
        assertThat(third.type()).isEqualTo(3);
        third.close();
        second.close();
        second.close(); // idempotent, and does not put the frame in the slot twice
    }

    @Test
    void withoutReuseASecondCloseAfterTheNextReadIsHarmless() throws Exception {
        LeakDetector.disable();
        Fixtures.RawPeer peer = f.track(f.rawPeer(f.config()));
        peer.send(HexFormat.of().parseHex("0000000100000001aa" + "0000000200000001bb"));
        Frame first = peer.conn().readFrame();
        first.close();
        try (Frame second = peer.conn().readFrame()) {
            first.close();
            assertThat(second).isNotSameAs(first);
            assertThat(second.isOpen()).isTrue();
            assertThat(second.toByteArray()).containsExactly(0xbb);
        }
    }
}
