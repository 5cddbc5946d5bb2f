package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FrameConn#writeBatch} through {@link BatchGatherer} and {@link WireWriter}:
 * the bytes are the frames in order, and the write calls are cut exactly where
 * the limits say (the 64 KiB copy buffer, the copy threshold, 64 segments per
 * call, 1 MiB per call), each limit at its edge and one past; payload buffers
 * are left as they were, also when the transport takes a few bytes per call.
 * Each case writes to a {@link ScriptedTransport}, which records every call.
 */
@Timeout(10)
class BatchWriteCallsTest {
    private static final int HEADER = 8;
    private static final int MAX = WireWriter.MAX_WRITE_CHUNK;
    private static final int THRESHOLD = Outbound.COPY_THRESHOLD;

    /** A batch and the bytes it must produce. */
    private static final class Expected {
        final FrameBatch batch = new FrameBatch();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<ByteBuffer> payloads = new ArrayList<>();

        Expected add(int type, ByteBuffer payload) {
            batch.add(type, payload);
            payloads.add(payload);
            bytes.writeBytes(ByteBuffer.allocate(HEADER).putInt(type).putInt(payload.remaining()).array());
            ByteBuffer copy = payload.duplicate();
            byte[] b = new byte[copy.remaining()];
            copy.get(b);
            bytes.writeBytes(b);
            return this;
        }

        Expected add(int type, int length) {
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++) {
                b[i] = (byte) (i * 31 + type);
            }
            return add(type, ByteBuffer.wrap(b));
        }
    }

    /** Writes the batch; checks the bytes, the cleared batch and the untouched payloads; returns the call sizes. */
    private static List<Integer> write(WritePathRig rig, Expected e) throws Exception {
        List<int[]> before = new ArrayList<>();
        for (ByteBuffer p : e.payloads) {
            before.add(new int[] {p.position(), p.limit()});
        }
        rig.conn.writeBatch(e.batch);
        assertThat(rig.wire.written()).isEqualTo(e.bytes.toByteArray());
        assertThat(e.batch.isEmpty()).as("batch cleared").isTrue();
        for (int i = 0; i < e.payloads.size(); i++) {
            assertThat(new int[] {e.payloads.get(i).position(), e.payloads.get(i).limit()})
                    .as("payload %d position and limit", i).isEqualTo(before.get(i));
        }
        return rig.wire.callSizes();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void smallFramesLeaveInOneCallUpTo64KiBToTheLastByte(int over) throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            Expected e = new Expected();
            int payload = BatchGatherer.BUFFER_SIZE / 8 - HEADER;
            for (int i = 0; i < 7; i++) {
                e.add(1, payload);
            }
            e.add(2, payload + over);
            List<Integer> calls = write(rig, e);
            if (over == 0) {
                assertThat(calls).containsExactly(BatchGatherer.BUFFER_SIZE);
            } else {
                assertThat(calls).containsExactly(7 * (HEADER + payload), HEADER + payload + 1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void aPayloadUpToTheCopyThresholdIsCopiedAndOneByteMoreIsGathered(int over) throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            write(rig, new Expected().add(1, THRESHOLD + over));
            assertThat(rig.wire.callSegments()).containsExactly(over == 0 ? 1 : 2);
        }
    }

    @Test
    void aLargeHeaderThatFillsTheCopyBufferToTheLastByteGoesWithTheSmallFramesBeforeIt() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            Expected e = new Expected();
            for (int i = 0; i < 7; i++) {
                e.add(1, 8192 - HEADER);
            }
            e.add(2, 8184 - HEADER); // the small frames leave exactly one header's room
            e.add(3, 9000);
            assertThat(write(rig, e)).containsExactly(BatchGatherer.BUFFER_SIZE + 9000);
        }
    }

    @Test
    void largeFramesAreCutAtSixtyFourSegmentsPerCall() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            Expected e = new Expected();
            for (int i = 0; i < 40; i++) {
                e.add(i, 9000); // a header region and a payload each
            }
            List<Integer> calls = write(rig, e);
            assertThat(calls).containsExactly(31 * (HEADER + 9000), 9 * (HEADER + 9000));
            assertThat(rig.wire.callSegments()).containsExactly(62, 18);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void aPayloadOfUpTo1MiBIsGatheredWithItsHeaderAndALargerOneIsWrittenInSlices(int over) throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            List<Integer> calls = write(rig, new Expected().add(1, MAX + over));
            if (over == 0) {
                assertThat(calls).containsExactly(HEADER + MAX);
            } else {
                assertThat(calls).containsExactly(HEADER, MAX, 1);
            }
        }
    }

    @Test
    void aCallEndsOnceItCarries1MiB() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            List<Integer> calls = write(rig, new Expected().add(1, MAX - HEADER).add(2, 1));
            assertThat(calls).containsExactly(MAX, HEADER + 1);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1000, 5000})
    void payloadsAtAnOffsetAndOneBufferTwiceArriveIntactWhenTheTransportTakesAFewBytesPerCall(int perCall)
            throws Exception {
        long seed = System.nanoTime();
        System.out.println("seed=" + seed + " perCall=" + perCall);
        Random random = new Random(seed);
        byte[] big = new byte[12_000];
        random.nextBytes(big);
        ByteBuffer twice = ByteBuffer.wrap(big, 5, 9000); // position 5, limit 9005
        ByteBuffer small = ByteBuffer.wrap(big, 100, 50);
        try (WritePathRig rig = new WritePathRig()) {
            rig.wire.maxPerCall(perCall);
            Expected e = new Expected().add(1, twice).add(2, small).add(3, twice).add(4, twice.duplicate());
            write(rig, e);
            assertThat(rig.wire.callSizes()).allMatch(n -> n <= perCall);
        }
    }

    @Test
    void aSecondBatchOnTheSameConnectionStartsAfresh() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            write(rig, new Expected().add(1, 100).add(2, 9000));
            Expected both = new Expected().add(1, 100).add(2, 9000).add(3, 10).add(4, 9001);
            rig.conn.writeBatch(new FrameBatch().add(3, both.payloads.get(2)).add(4, both.payloads.get(3)));
            assertThat(rig.wire.written()).isEqualTo(both.bytes.toByteArray());
            assertThat(rig.wire.callSizes()).containsExactly(108 + 9008, 18 + 9009);
        }
    }
}
