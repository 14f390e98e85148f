package io.weft.sync;

import io.weft.Deadline;
import io.weft.internal.wait.Waits;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A readers-writer lock with Weft waits: many readers at once, or one writer.
 *
 * <pre>{@code
 * RwLock rw = new RwLock();
 * try (var g = rw.read()) { return cache.get(key); }
 * try (var g = rw.write(Duration.ofSeconds(1))) { cache.put(key, value); }
 * }</pre>
 *
 * <p>Fair, in arrival order: a waiting writer holds back readers that come after it (so
 * writers do not starve), and when a writer leaves, the run of readers at the front of the
 * queue enters together. Not reentrant; the write lock is held by a thread and only it may
 * release it; read holds are counted, not owned. Timeouts throw
 * {@link io.weft.DeadlineExceededException} and cancellation
 * {@link java.util.concurrent.CancellationException}, in both cases without holding.
 */
/*
 * Overview
 *
 * State under `lock`: `readers` (count of read holds), `writer` (the thread, or null),
 * `waiters` (FIFO; Waiter.need = READ or WRITE).
 *
 *   read():   if no writer and no live waiter: readers++; else enqueue READ; park
 *   write():  if no writer, no readers and no live waiter: writer = me; else enqueue WRITE; park
 *   release:  update the state, then dispatch()
 *   dispatch: loop over the first live waiter: a WRITE enters if readers == 0 and no
 *             writer, then stop; a READ enters if no writer, then look at the next one.
 *             Entering = winning the waiter's op CAS, then updating readers/writer.
 *   cancelled while queued: unlink own waiter, then dispatch() (it may have been a writer
 *             at the head holding back readers)
 *
 * Rejected: reader preference (readers enter whenever no writer holds): cheaper, but a
 * steady stream of readers starves writers forever.
 */
public final class RwLock {

    private static final int READ = 1;
    private static final int WRITE = 2;

    /** Releases a read or write hold on close; close once per acquisition. */
    public final class Guard implements AutoCloseable {
        private final boolean write;

        private Guard(boolean write) {
            this.write = write;
        }

        @Override
        public void close() {
            if (write) {
                writeUnlock();
            } else {
                readUnlock();
            }
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final WaitQueue waiters = new WaitQueue();
    private final Guard readGuard = new Guard(false);
    private final Guard writeGuard = new Guard(true);
    private int readers;
    private Thread writer;

    /** Takes a read hold, waiting as long as it takes. */
    public Guard read() {
        return read(Deadline.NONE);
    }

    public Guard read(Duration timeout) {
        return read(Deadline.after(timeout));
    }

    /** Takes a read hold, waiting until {@code deadline}. */
    public Guard read(Deadline deadline) {
        acquire(READ, deadline, "RwLock.read");
        return readGuard;
    }

    /** Takes the write hold, waiting as long as it takes. */
    public Guard write() {
        return write(Deadline.NONE);
    }

    public Guard write(Duration timeout) {
        return write(Deadline.after(timeout));
    }

    /** Takes the write hold, waiting until {@code deadline}. */
    public Guard write(Deadline deadline) {
        acquire(WRITE, deadline, "RwLock.write");
        return writeGuard;
    }

    /** Takes a read hold if that needs no wait. */
    public boolean tryRead() {
        return tryAcquire(READ);
    }

    /** Takes the write hold if that needs no wait. */
    public boolean tryWrite() {
        return tryAcquire(WRITE);
    }

    private boolean tryAcquire(int kind) {
        lock.lock();
        try {
            return enterNowLocked(kind);
        } finally {
            lock.unlock();
        }
    }

    private void acquire(int kind, Deadline deadline, String what) {
        Parking.checkStart(what);
        Waiter w;
        lock.lock();
        try {
            if (enterNowLocked(kind)) {
                return;
            }
            w = new Waiter(new Waits.Signal(), 0, null, kind);
            waiters.add(w);
        } finally {
            lock.unlock();
        }
        if (!Parking.await(w.op, deadline)) {
            lock.lock();
            try {
                waiters.remove(w);
                dispatchLocked();
            } finally {
                lock.unlock();
            }
            throw Parking.cancelled(w.op.cancelReason(), what);
        }
    }

    private boolean enterNowLocked(int kind) {
        if (writer == Thread.currentThread()) {
            throw new IllegalStateException("RwLock is not reentrant: the write lock is held by " + writer);
        }
        if (writer != null || !waiters.hasNoLive()) {
            return false;
        }
        if (kind == READ) {
            readers++;
            return true;
        }
        if (readers == 0) {
            writer = Thread.currentThread();
            return true;
        }
        return false;
    }

    /** Releases a read hold. */
    public void readUnlock() {
        lock.lock();
        try {
            if (readers == 0) {
                throw new IllegalMonitorStateException("RwLock has no read hold to release");
            }
            readers--;
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Releases the write hold; only the writer may. */
    public void writeUnlock() {
        lock.lock();
        try {
            if (writer != Thread.currentThread()) {
                throw new IllegalMonitorStateException("RwLock write hold not held by " + Thread.currentThread());
            }
            writer = null;
            dispatchLocked();
        } finally {
            lock.unlock();
        }
    }

    private void dispatchLocked() {
        Waiter w;
        while (writer == null && (w = waiters.peekLive()) != null) {
            if (w.need == WRITE) {
                if (readers != 0) {
                    return;
                }
                waiters.remove(w);
                if (w.fire(null)) {
                    writer = w.op.waiter();
                }
            } else {
                waiters.remove(w);
                if (w.fire(null)) {
                    readers++;
                }
            }
        }
    }

    /** The number of read holds now. */
    public int readHolds() {
        lock.lock();
        try {
            return readers;
        } finally {
            lock.unlock();
        }
    }

    public boolean isWriteLocked() {
        lock.lock();
        try {
            return writer != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "RwLock[" + readers + " readers, writer " + writer + ", " + waiters.size() + " waiting]";
        } finally {
            lock.unlock();
        }
    }
}
