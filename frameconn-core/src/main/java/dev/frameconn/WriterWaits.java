package dev.frameconn;

import dev.frameconn.internal.Locks;
import java.io.InterruptedIOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock of one connection's write side and the ways its threads wait under
 * it: for a change of the pen, for room in the staging buffer, or (the
 * flusher) for work. Every wait re-checks its condition after waking; a wake-up
 * may be spurious. {@link #wakeAll()} wakes every kind of waiter.
 *
 * <p>The room and work waits park directly instead of on the condition, whose
 * every wait allocates a queue node: a writer that outpaces the network waits
 * once per staging buffer, and the flusher once per catch-up.
 */
final class WriterWaits {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private Thread roomWaiter;
    private Thread workWaiter;

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /** Takes the lock; an interrupt while waiting for it is an {@link InterruptedIOException}. */
    void lockInterruptibly() throws InterruptedIOException {
        Locks.lockInterruptibly(lock);
    }

    /** Under the lock: waits for any change. */
    // every caller (Outbound) loops on its own condition around this wait and re-checks it after waking
    @SuppressWarnings("WaitNotInLoop")
    void awaitChange() throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        }
    }

    /** Under the lock: waits for any change, ignoring interrupts. */
    // every caller (Outbound) loops on its own condition around this wait and re-checks it after waking
    @SuppressWarnings("WaitNotInLoop")
    void awaitChangeUninterruptibly() {
        changed.awaitUninterruptibly();
    }

    /** Under the lock: waits for any change or {@code nanos}; returns what is left. */
    // every caller (Outbound) loops on its own condition around this wait and re-checks it after waking
    @SuppressWarnings("WaitNotInLoop")
    long awaitChange(long nanos) throws InterruptedException {
        return changed.awaitNanos(nanos);
    }

    /** Under the lock: wakes the threads waiting for a change (not the room or work waiters). */
    void signalChange() {
        changed.signalAll();
    }

    /** Under the lock: waits for room in the staging buffer (or for any change). */
    void awaitRoom() throws InterruptedIOException {
        if (roomWaiter != null) {
            awaitChange();
            return;
        }
        Thread me = Thread.currentThread();
        roomWaiter = me;
        lock.unlock();
        try {
            LockSupport.park(this);
        } finally {
            lock.lock();
            if (roomWaiter == me) {
                roomWaiter = null;
            }
        }
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw interrupted();
        }
    }

    /** Under the lock, the flusher: waits up to {@code nanos} for work (or any wake-up). */
    void awaitWork(long nanos) {
        workWaiter = Thread.currentThread();
        lock.unlock();
        try {
            LockSupport.parkNanos(this, nanos);
        } finally {
            lock.lock();
            workWaiter = null;
        }
    }

    /** Under the lock: wakes everyone waiting. */
    void wakeAll() {
        changed.signalAll();
        Thread waiter = roomWaiter;
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
        waiter = workWaiter;
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    private static InterruptedIOException interrupted() {
        return new InterruptedIOException("interrupted while waiting to write");
    }
}
