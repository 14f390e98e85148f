package io.weft.ipc;

import java.io.IOException;
import java.nio.file.Path;

import static io.weft.ipc.RingLayout.*;

/**
 * A {@link ShmRing} with one producer and one consumer, each in any process. The producer
 * owns tail outright, so a claim is two loads and two stores, with no atomic
 * read-modify-write.
 *
 * <pre>{@code
 * try (OneToOneRing ring = OneToOneRing.create(Path.of("/dev/shm/orders"), 1 << 20)) {
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

    /** The consumer's head as the producer last read it; producer thread only. */
    private long headCache;

    private OneToOneRing(RingFile file) {
        super(file);
    }

    /** Creates the file (O_EXCL, mode 0600) with a data region of {@code capacity} bytes (a power of two). */
    public static OneToOneRing create(Path path, int capacity) throws IOException {
        return new OneToOneRing(RingFile.create(path, capacity, KIND_ONE_TO_ONE));
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
        if (capacity - (tail - head) < required) {
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
