package io.weft.ipc;

import io.weft.net.OwnedFd;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

import static io.weft.ipc.RingLayout.*;

/**
 * A {@link ShmRing} with any number of producers (threads and processes) and one consumer.
 * Producers reserve space by a CAS on tail and publish a record by a release store of its
 * length word, so records become readable in reservation order.
 *
 * <pre>{@code
 * ManyToOneRing ring = ManyToOneRing.open(fdFromTheConsumer);
 * long i = ring.tryClaim(LOG_LINE, line.length);
 * if (i >= 0) {
 *     MemorySegment.copy(line, 0, ring.buffer(), ValueLayout.JAVA_BYTE, i, line.length);
 *     ring.commit(i);
 * }
 * }</pre>
 *
 * <p>Thread confinement: claims from any thread; {@link #read} from one consumer.
 */
/*
 * Overview
 *
 * tryClaim:
 *   1. tail = volatile load; room check against headCache, then against head (acquire,
 *      pairs with the consumer's release); no room: INSUFFICIENT_CAPACITY
 *   2. CAS tail -> tail + required (padding included); lost: back to 1
 *   3. the winner owns [tail, tail + required): padding (released) if it wraps, then the
 *      claim mark (type, -length)
 *
 * Between 2 and 3 the slot's length word is still 0, and the consumer stops there: that is
 * the "published by its length" rule of the classic many-to-one ring. A producer that
 * stalls between claim and commit stalls the consumer behind it (never loses a record).
 *
 * headCache (a field, opaque accesses): a lower bound of head shared by this process's
 * producers. A stale value only sends a producer to read head itself.
 *
 * The loop is bounded: a head past the tail just loaded is a race only if tail has moved
 * on since (reloaded to tell), and a producer that loses MAX_CLAIM_ATTEMPTS races in a row
 * is facing a peer that keeps rewriting tail, not other producers. Both end the claim with
 * RingCorruptedException, so a hostile peer cannot hold a loop thread in here.
 */
public final class ManyToOneRing extends ShmRing {

    private static final VarHandle HEAD_CACHE;
    /**
     * Lost CAS rounds in one claim before tail counts as corrupted: each loss means another
     * producer claimed, so honest contention ends long before this.
     */
    static final int MAX_CLAIM_ATTEMPTS = 1 << 16;

    static {
        try {
            HEAD_CACHE = MethodHandles.lookup().findVarHandle(ManyToOneRing.class, "headCache", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A recent value of head, any producer thread; accessed opaque through HEAD_CACHE. */
    @SuppressWarnings("unused")
    private long headCache;

    private ManyToOneRing(RingFile file) {
        super(file);
    }

    /**
     * Creates a ring in a new sealed memfd with a data region of {@code capacity} bytes (a
     * power of two), its memory reserved now. Pass {@link #sharedMemory()} to the producer
     * processes, which map it with {@link #open(OwnedFd)}; nothing is left behind when every
     * side closes or dies.
     *
     * @throws IOException if the memory cannot be reserved (the message says how much)
     */
    public static ManyToOneRing create(int capacity) throws IOException {
        return new ManyToOneRing(RingFile.createSealed(capacity, KIND_MANY_TO_ONE));
    }

    /**
     * Creates a named ring file (O_EXCL, mode 0600) with a data region of {@code capacity}
     * bytes (a power of two), its memory reserved now. Any process of this uid can open it
     * by name, and truncate it too: for peers that are trusted; {@link #create(int)} is
     * safe from them.
     *
     * @throws IOException if the file exists, or its file system has no room for it (the
     *                     message names the size and the mount)
     */
    public static ManyToOneRing create(Path path, int capacity) throws IOException {
        return new ManyToOneRing(RingFile.create(path, capacity, KIND_MANY_TO_ONE));
    }

    /**
     * Maps a ring memfd received from the process that {@linkplain #create(int) made} it,
     * after checking that it is sealed against shrinking and growing, has a ring's size and
     * a many-to-one ring's header. The ring keeps a duplicate of {@code fd}; the caller
     * still closes its own.
     *
     * @throws RingCorruptedException if it is not such a ring
     */
    public static ManyToOneRing open(OwnedFd fd) throws IOException {
        return new ManyToOneRing(RingFile.open(fd, KIND_MANY_TO_ONE));
    }

    /** A ring in this process's memory, no file: for memory-ordering tests. */
    static ManyToOneRing anonymous(int capacity) {
        return new ManyToOneRing(RingFile.anonymous(capacity, KIND_MANY_TO_ONE));
    }

    /** Maps an existing ring file, checking its header. */
    public static ManyToOneRing open(Path path) throws IOException {
        return new ManyToOneRing(RingFile.open(path, KIND_MANY_TO_ONE));
    }

    @Override
    public long tryClaim(int type, int length) throws RingCorruptedException {
        checkType(type, length);
        int recordLength = length + RECORD_HEADER_LENGTH;
        int aligned = align(recordLength);
        long tail;
        int tailIndex;
        int required;
        for (int attempt = 0; ; attempt++) {
            if (attempt == MAX_CLAIM_ATTEMPTS) {
                throw new RingCorruptedException(file.name() + ": no claim after " + MAX_CLAIM_ATTEMPTS
                        + " attempts; the producer position (tail) keeps changing under every one");
            }
            tail = (long) LONG.getVolatile(header, TAIL_OFFSET);
            tailIndex = (int) tail & mask;
            required = required(tailIndex, aligned);
            long head = (long) HEAD_CACHE.getOpaque(this);
            long used = tail - head;
            // A tail behind the cached head, or off the 8-byte grid, takes the path that checks it.
            if (used < 0 || capacity - used < required || (tail & (ALIGNMENT - 1)) != 0) {
                head = (long) LONG.getAcquire(header, HEAD_OFFSET); // pairs with setRelease in read()
                if (head > tail) {
                    if ((long) LONG.getVolatile(header, TAIL_OFFSET) != tail) {
                        continue; // tail moved on and the consumer followed since we loaded it
                    }
                    // tail still where it was, and head past it: no consumer does that
                }
                file.checkPositions(head, tail);
                HEAD_CACHE.setOpaque(this, head);
                if (capacity - (tail - head) < required) {
                    return INSUFFICIENT_CAPACITY;
                }
            }
            if (LONG.compareAndSet(header, TAIL_OFFSET, tail, tail + required)) {
                break;
            }
        }
        int index = place(tailIndex, aligned, type, recordLength);
        return index + RECORD_HEADER_LENGTH;
    }
}
