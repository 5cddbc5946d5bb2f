package dev.frameconn.cli;

import dev.frameconn.heartbeat.HeartbeatConfig;
import java.util.concurrent.ThreadFactory;

/**
 * The threads of {@code send} and {@code recv}: platform threads, not the
 * library's default virtual ones. A process moves one stream, so it has a
 * handful of threads; each of them blocks in a read or a write of a socket or
 * file most of the time. A virtual thread parks there and is woken through the
 * JDK's poller and a carrier thread, which costs a few context switches per
 * wake-up; a platform thread just blocks in the system call. With both ends of
 * a transfer sharing few cores, those switches are CPU the transfer lacks.
 * Daemon threads: a source reader left blocked on standard input after a
 * failure must not keep the process alive.
 */
final class DataThreads {
    private static final ThreadFactory PLATFORM = Thread.ofPlatform().daemon().name("frameconn-stream-", 0).factory();

    private DataThreads() {}

    /** {@code config} with this tool's thread factory. */
    static HeartbeatConfig on(HeartbeatConfig config) {
        return config.withThreadFactory(PLATFORM);
    }
}
