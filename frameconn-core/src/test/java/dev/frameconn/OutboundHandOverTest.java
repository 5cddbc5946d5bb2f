package dev.frameconn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pen passes between writers as {@link Outbound}'s class comment draws it:
 * a writer that finds the pen held stages a small frame (at most
 * {@link Outbound#COPY_THRESHOLD}, as long as it fits, to the last byte) or
 * waits; it is woken when the holder takes the staged frames (room), lets go
 * (the pen) or fails (the failure); an interrupt ends its wait; the RST and a
 * close wait for the holder to let go. The holder's writes are held at the transport's gate,
 * so every step is taken in a known order, without sleeping.
 */
@Timeout(10)
class OutboundHandOverTest {
    /** Starts a writer whose small frame takes the pen and waits in the transport. */
    private static WritePathRig.Running<Object> holder(WritePathRig rig) throws Exception {
        rig.wire.closeGate();
        var holder = rig.start(() -> {
            rig.conn.writeFrame(1, new byte[1]);
            return null;
        });
        rig.wire.awaitArrived(1);
        return holder;
    }

    @Test
    void theFirstWritesOfAnIdleConnectionAreMadeByTheCaller() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            for (int i = 0; i < 5; i++) {
                rig.conn.writeFrame(1, new byte[i]);
            }
            assertThat(rig.wire.callThreads()).hasSize(5).containsOnly(Thread.currentThread().getName());
        }
    }

    @Test
    void aWriterWaitingForThePenWritesOnceTheHolderLetsGo() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            var holder = holder(rig);
            var waiter = rig.start(() -> {
                rig.conn.writeFrame(2, new byte[Outbound.COPY_THRESHOLD + 1]);
                return null;
            });
            WritePathRig.awaitsChange(waiter);
            rig.wire.pass(2);
            holder.get();
            waiter.get();
            byte[] out = rig.wire.written();
            assertThat(out).hasSize(8 + 1 + 8 + Outbound.COPY_THRESHOLD + 1);
            assertThat(out[3]).isEqualTo((byte) 1); // the holder's frame first
            assertThat(out[8 + 1 + 3]).isEqualTo((byte) 2);
        }
    }

    @Test
    void aWriterWaitingForThePenSeesTheHoldersFailure() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            var holder = holder(rig);
            var waiter = rig.start(() -> {
                rig.conn.writeFrame(2, new byte[Outbound.COPY_THRESHOLD + 1]);
                return null;
            });
            WritePathRig.awaitsChange(waiter);
            rig.wire.failNext(new IOException("boom"));
            rig.wire.pass(1);
            assertThatThrownBy(holder::get).hasRootCauseMessage("boom");
            assertThatThrownBy(waiter::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ConnectionBrokenException.class).hasRootCauseMessage("boom");
        }
    }

    @Test
    void aWriterWaitingForRoomStagesAsSoonAsTheHolderTakesTheStagedFrames() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            var holder = holder(rig);
            // 7 frames of 8 KiB fill the 64 KiB staging buffer but for 8136 bytes: the 8th waits
            var stager = rig.start(() -> {
                for (int i = 0; i < 8; i++) {
                    rig.conn.writeFrame(10 + i, new byte[Outbound.COPY_THRESHOLD]);
                }
                return null;
            });
            WritePathRig.awaitsRoom(stager);
            rig.wire.pass(1); // the holder's frame: then it takes the 7 staged ones, making room
            rig.wire.awaitArrived(2);
            stager.get(); // staged while the holder's second write still waits
            assertThat(rig.wire.callSizes()).hasSize(1);
            rig.wire.pass(2);
            holder.get();
            assertThat(rig.wire.callSizes()).containsExactly(9, 7 * (8 + Outbound.COPY_THRESHOLD), 8 + Outbound.COPY_THRESHOLD);
        }
    }

    @Test
    void framesThatFillTheStagingBufferToTheLastByteAreStagedWithoutWaiting() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            var holder = holder(rig);
            int frames = 8;
            int payload = Outbound.STAGING_SIZE / frames - 8;
            var stager = rig.start(() -> {
                for (int i = 0; i < frames; i++) {
                    rig.conn.writeFrame(10 + i, new byte[payload]);
                }
                return null;
            });
            stager.get(); // the holder is still inside its first write
            assertThat(rig.wire.callSizes()).isEmpty();
            rig.wire.pass(2);
            holder.get();
            assertThat(rig.wire.callSizes()).containsExactly(9, Outbound.STAGING_SIZE);
        }
    }

    @Test
    void aFrameOfExactlyTheCopyThresholdIsStagedAndOneByteMoreWaitsForThePen() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            var holder = holder(rig);
            rig.conn.writeFrame(2, new byte[Outbound.COPY_THRESHOLD]); // staged: returns at once
            var large = rig.start(() -> {
                rig.conn.writeFrame(3, new byte[Outbound.COPY_THRESHOLD + 1]);
                return null;
            });
            WritePathRig.awaitsChange(large);
            rig.wire.pass(3);
            holder.get();
            large.get();
            assertThat(rig.wire.callSizes())
                    .containsExactly(9, 8 + Outbound.COPY_THRESHOLD, 8 + Outbound.COPY_THRESHOLD + 1);
        }
    }

    @Test
    void anInterruptEndsTheWaitForRoomAndForThePenAndStaysSet() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            var holder = holder(rig);
            var stager = rig.start(() -> {
                try {
                    for (int i = 0; i < 8; i++) {
                        rig.conn.writeFrame(10 + i, new byte[Outbound.COPY_THRESHOLD]);
                    }
                    return "written";
                } catch (InterruptedIOException e) {
                    return "interrupted=" + Thread.currentThread().isInterrupted();
                }
            });
            WritePathRig.awaitsRoom(stager);
            var penWaiter = rig.start(() -> {
                try {
                    rig.conn.writeFrame(2, new byte[Outbound.COPY_THRESHOLD + 1]);
                    return "written";
                } catch (InterruptedIOException e) {
                    return "interrupted=" + Thread.currentThread().isInterrupted();
                }
            });
            WritePathRig.awaitsChange(penWaiter);
            penWaiter.thread().interrupt();
            assertThat(penWaiter.get()).isEqualTo("interrupted=true");
            var roomWaiter = rig.start(() -> {
                try {
                    rig.conn.writeFrame(3, new byte[Outbound.COPY_THRESHOLD]);
                    return "written";
                } catch (InterruptedIOException e) {
                    return "interrupted=" + Thread.currentThread().isInterrupted();
                }
            });
            WritePathRig.awaitsChange(roomWaiter); // the second room waiter waits on the condition
            roomWaiter.thread().interrupt();
            assertThat(roomWaiter.get()).isEqualTo("interrupted=true");
            stager.thread().interrupt();
            assertThat(stager.get()).as("the first room waiter, which parks").isEqualTo("interrupted=true");
            assertThat(rig.wire.callSizes()).isEmpty();
            rig.wire.pass(2);
            holder.get();
        }
    }

    @Test
    void theRstWaitsForAWriteInProgressAndGoesLast() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            var holder = holder(rig);
            rig.conn.writeFrame(2, new byte[3]); // staged: the RST goes after it too
            var shutdown = rig.start(rig.conn::shutdown);
            WritePathRig.awaitsChange(shutdown);
            assertThat(rig.wire.callSizes()).isEmpty();
            rig.wire.openGate();
            holder.get();
            assertThat(shutdown.get().clean()).isTrue();
            assertThat(rig.wire.callSizes()).containsExactly(9, 11, 8);
            java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(rig.wire.written());
            assertThat(out.getInt(9 + 11)).isEqualTo(dev.frameconn.wire.FrameHeader.RST);
        }
    }

    @Test
    void aCloseWaitsForTheHolderToLetGoAndThenEveryBufferIsBack() throws Exception {
        try (WritePathRig rig = new WritePathRig()) {
            var holder = holder(rig);
            rig.wire.closeReleasesWrites(false);
            var close = rig.start(() -> {
                rig.conn.close();
                return null;
            });
            WritePathRig.awaitsChange(close);
            assertThat(rig.pool.outstanding()).isEqualTo(2); // the holder still has them
            rig.wire.pass(1); // the holder's write fails on the closed transport
            close.get();
            assertThat(rig.pool.outstanding()).isZero();
            var flush = rig.start(() -> { // the closer let go of the write side's lock
                rig.conn.flush();
                return null;
            });
            // the holder's frame was accepted and never written
            assertThatThrownBy(flush::get).cause().isInstanceOf(ConnectionBrokenException.class);
            assertThatThrownBy(holder::get).cause().isInstanceOf(IOException.class);
        }
    }
}
