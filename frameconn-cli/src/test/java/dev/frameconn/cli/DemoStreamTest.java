package dev.frameconn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoStreamTest {
    @Test
    void payloadsAddUpExactlyAndTheMixIsRealistic() {
        long total = (8L << 20) + 12_345;
        int frameSize = 64 << 10;
        DemoStream stream = new DemoStream(total, frameSize, 42);
        long sum = 0;
        int empty = 0;
        int small = 0;
        int full = 0;
        Set<Integer> types = new HashSet<>();
        while (stream.hasNext()) {
            stream.next();
            assertThat(stream.payload().remaining()).isEqualTo(stream.length());
            assertThat(stream.length()).isBetween(0, frameSize);
            sum += stream.length();
            types.add(stream.type());
            if (stream.length() == 0) {
                empty++;
            } else if (stream.length() <= DemoStream.SMALL_MAX) {
                small++;
            } else if (stream.length() == frameSize) {
                full++;
            }
        }
        assertThat(sum).isEqualTo(total);
        assertThat(types).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        assertThat(empty).isPositive();
        assertThat(small).isPositive();
        assertThat(full).isGreaterThan(stream.frames() / 2);
        assertThatThrownBy(stream::next).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sameSeedSameFramesAndDigest() {
        assertThat(digestOf(new DemoStream(1 << 20, 4096, 7)))
                .isEqualTo(digestOf(new DemoStream(1 << 20, 4096, 7)))
                .isNotEqualTo(digestOf(new DemoStream(1 << 20, 4096, 8)));
    }

    @Test
    void hashCurrentEqualsHeaderPlusThePayloadTheReceiverSees() {
        DemoStream stream = new DemoStream(100_000, 10_000, 1);
        stream.next();
        MessageDigest sender = Sha256.newDigest();
        stream.hashCurrent(sender, new byte[8]);
        MessageDigest receiver = Sha256.newDigest();
        DemoStream.hashHeader(receiver, new byte[8], stream.type(), stream.length());
        receiver.update(stream.payload());
        assertThat(sender.digest()).isEqualTo(receiver.digest());
    }

    @Test
    void zeroBytesIsNoFrame() {
        assertThat(new DemoStream(0, 1, 1).hasNext()).isFalse();
    }

    private static String digestOf(DemoStream stream) {
        MessageDigest digest = Sha256.newDigest();
        byte[] scratch = new byte[8];
        while (stream.hasNext()) {
            stream.next();
            stream.hashCurrent(digest, scratch);
        }
        return Sha256.hex(digest);
    }
}
