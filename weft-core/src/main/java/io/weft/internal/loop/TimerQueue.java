package io.weft.internal.loop;

import io.weft.internal.wait.WaitLoop;

import java.util.Arrays;

/**
 * One loop's timers: a binary min-heap on deadline. Loop thread only.
 *
 * <p>Each {@link Timer} remembers its heap index, so cancelling is O(log n) and needs no
 * search; 10,000 sleeping tasks cost 10,000 small objects and about 14 comparisons per
 * insert or removal.
 */
/*
 * Overview
 *
 *   schedule(deadline, action)   sift up; returns the Timer for cancel()
 *   cancel(timer)                swap with the last slot, sift that one up or down
 *   fireExpired()                while root.deadline <= clock.now: pop, run its action
 *   nextDeadline()               root's deadline, or Long.MAX_VALUE when empty
 *
 * Deadlines compare with subtraction (a - b < 0), as System.nanoTime() values must.
 * Timers with equal deadlines fire in the order they were scheduled (a sequence number
 * breaks ties), so two sleeps of the same length wake in order.
 *
 * Rejected: a hashed wheel (Netty's HashedWheelTimer). It wins with millions of timers
 * and coarse ticks, but costs a tick thread or per-turn bucket scans; a heap is exact and
 * cheap at the counts a loop sees.
 */
public final class TimerQueue {

    /** A scheduled action. Loop thread only. */
    public static final class Timer implements WaitLoop.Timer {
        final long deadline;
        final long seq;
        final Runnable action;
        int index = -1;

        Timer(long deadline, long seq, Runnable action) {
            this.deadline = deadline;
            this.seq = seq;
            this.action = action;
        }

        public long deadline() {
            return deadline;
        }

        /** True while scheduled (neither fired nor cancelled). */
        @Override
        public boolean isScheduled() {
            return index >= 0;
        }
    }

    private final NanoClock clock;
    private Timer[] heap = new Timer[64];
    private int size;
    private long nextSeq;

    public TimerQueue(NanoClock clock) {
        this.clock = clock;
    }

    public NanoClock clock() {
        return clock;
    }

    public int size() {
        return size;
    }

    /** Schedules {@code action} to run at {@code deadline} (on the clock's scale). */
    public Timer schedule(long deadline, Runnable action) {
        Timer t = new Timer(deadline, nextSeq++, action);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = t;
        t.index = size;
        size++;
        siftUp(t.index);
        return t;
    }

    /** Cancels {@code t}; returns false if it had already fired or been cancelled. */
    public boolean cancel(Timer t) {
        int i = t.index;
        if (i < 0) {
            return false;
        }
        removeAt(i);
        return true;
    }

    /** The earliest deadline, or {@code Long.MAX_VALUE} if none. */
    public long nextDeadline() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    /**
     * Runs the action of every timer whose deadline has come. An action may schedule or
     * cancel timers; one scheduled for the past runs in this same call.
     *
     * @return how many fired
     */
    public int fireExpired() {
        int fired = 0;
        long now = clock.nanoTime();
        while (size > 0 && heap[0].deadline - now <= 0) {
            Timer t = heap[0];
            removeAt(0);
            fired++;
            t.action.run();
        }
        return fired;
    }

    private void removeAt(int i) {
        Timer removed = heap[i];
        removed.index = -1;
        size--;
        if (i != size) {
            Timer last = heap[size];
            heap[i] = last;
            last.index = i;
            heap[size] = null;
            siftDown(i);
            if (heap[i] == last) {
                siftUp(i);
            }
        } else {
            heap[size] = null;
        }
    }

    private static boolean before(Timer a, Timer b) {
        long d = a.deadline - b.deadline;
        return d < 0 || (d == 0 && a.seq < b.seq);
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (!before(t, p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], t)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
    }
}
