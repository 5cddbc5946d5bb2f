package dev.frameconn.internal;

import java.io.InterruptedIOException;
import java.util.concurrent.locks.ReentrantLock;

/** Lock helpers shared by the connection layers. */
public final class Locks {
    private Locks() {}

    /**
     * Takes {@code lock}, waiting interruptibly. An interrupt while waiting
     * becomes an {@link InterruptedIOException}, the I/O form of it, and the
     * thread's interrupt flag is set again so that callers up the stack still
     * see it.
     *
     * @param lock the lock to take
     * @throws InterruptedIOException if interrupted while waiting; the lock is then not held
     */
    public static void lockInterruptibly(ReentrantLock lock) throws InterruptedIOException {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException("interrupted while waiting for the connection's lock");
            io.initCause(e);
            throw io;
        }
    }
}
