package io.weft.ipc;

import io.weft.net.OwnedFd;

import java.io.IOException;
import java.nio.file.Path;

import static io.weft.ipc.RingLayout.*;

/**
 * A {@link ShmRing} with one producer and one consumer, each in any process. The producer
 * owns tail outright, so a claim is two loads and two stores, with no atomic
 * read-modify-write.
 *
 * <pre>{@code
 * try (OneToOneRing ring = OneToOneRing.create(1 << 20)) {
 *     stream.send(ByteBuffer.wrap(new byte[] {1}), ring.sharedMemory()); // the consumer calls open(fd)
 *     byte[] msg = "hello".getBytes(StandardCharsets.US_ASCII);
 *     while (!ring.tryWrite(1, msg, 0, msg.length)) {
 *         Thread.onSpinWait();
 *     }
 * }
 * }</pre>
 *
 * <p>Thread confinement: claims and commits from one thread at a time (the producer).
 */
/*
 * Overview
 *
 * tryClaim:
 *   1. tail = own word (opaque); if the cached head says there is no room, head = acquire
 *      load (pairs with the consumer's release of head) and check again; still no room:
 *      INSUFFICIENT_CAPACITY
 *   2. if the record does not fit before the end of the data region: a padding record
 *      there (released), and the record goes to index 0
 *   3. mark the slot claimed (type, then -length), then tail += required (release)
 *
 * headCache is a plain field: only the producer thread reads and writes it.
 */
public final class OneToOneRing extends ShmRing {

    /**
     * The producer's vow never to sleep on this ring: it waits for room only with the
     * spinning strategies or by retrying {@link #tryClaim}. The consumer then frees space
     * without a full memory fence. Irreversible, as {@link #consumerNeverSleeps()}; a later
     * sleeping wait for room throws {@link IllegalStateException}. (A ring with many
     * producers has no such vow: one producer cannot promise for the others.) Producer
     * only, while it is not waiting.
     *
     * @throws IllegalStateException if the producer is asleep on the ring now
     */
    public void producerNeverSleeps() {
        producerBell.vowNeverToSleep("producer");
    }

    /** The consumer's head as the producer last read it; producer thread only. */
    private long headCache;

    private OneToOneRing(RingFile file) {
        super(file);
    }

    /**
     * Creates a ring in a new sealed memfd with a data region of {@code capacity} bytes (a
     * power of two), its memory reserved now. Pass {@link #sharedMemory()} to the other
     * process, which maps it with {@link #open(OwnedFd)}; nothing is left behind when both
     * sides close or die.
     *
     * @throws IOException if the memory cannot be reserved (the message says how much)
     */
    public static OneToOneRing create(int capacity) throws IOException {
        return new OneToOneRing(RingFile.createSealed(capacity, KIND_ONE_TO_ONE));
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
    public static OneToOneRing create(Path path, int capacity) throws IOException {
        return new OneToOneRing(RingFile.create(path, capacity, KIND_ONE_TO_ONE));
    }

    /**
     * Maps a ring memfd received from the process that {@linkplain #create(int) made} it,
     * after checking that it is sealed against shrinking and growing, has a ring's size and
     * a one-to-one ring's header. The ring keeps a duplicate of {@code fd}; the caller still
     * closes its own.
     *
     * @throws RingCorruptedException if it is not such a ring
     */
    public static OneToOneRing open(OwnedFd fd) throws IOException {
        return new OneToOneRing(RingFile.open(fd, KIND_ONE_TO_ONE));
    }

    /** A ring in this process's memory, no file: for memory-ordering tests. */
    static OneToOneRing anonymous(int capacity) {
        return new OneToOneRing(RingFile.anonymous(capacity, KIND_ONE_TO_ONE));
    }

    /** Maps an existing ring file, checking its header. */
    public static OneToOneRing open(Path path) throws IOException {
        return new OneToOneRing(RingFile.open(path, KIND_ONE_TO_ONE));
    }

    @Override
    public long tryClaim(int type, int length) throws RingCorruptedException {
        checkType(type, length);
        int recordLength = length + RECORD_HEADER_LENGTH;
        int aligned = align(recordLength);
        long tail = (long) LONG.getOpaque(header, TAIL_OFFSET);
        int tailIndex = (int) tail & mask;
        int required = required(tailIndex, aligned);
        long head = headCache;
        long used = tail - head;
        // The peer can write tail too: a tail behind the cached head, or off the 8-byte
        // grid, takes the slow path, which checks both positions.
        if (used < 0 || capacity - used < required || (tail & (ALIGNMENT - 1)) != 0) {
            head = (long) LONG.getAcquire(header, HEAD_OFFSET); // pairs with setRelease in read()
            file.checkPositions(head, tail);
            headCache = head;
            if (capacity - (tail - head) < required) {
                return INSUFFICIENT_CAPACITY;
            }
        }
        int index = place(tailIndex, aligned, type, recordLength);
        LONG.setRelease(header, TAIL_OFFSET, tail + required); // for size() and the producers' space waits
        return index + RECORD_HEADER_LENGTH;
    }
}
