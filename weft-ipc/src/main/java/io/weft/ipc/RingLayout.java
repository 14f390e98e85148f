package io.weft.ipc;

/**
 * The binary layout of a ring file: a fixed header, then the data region of records.
 *
 * <pre>
 *  file offset
 *  0     +--------------------------------------------------------------+
 *        | magic "WEFTRING" (8) | version (4) | kind (4)                 |  written once by
 *  16    | capacity (4) | max record length (4) | refs (4) | reserved (4) |  create(); refs
 *  32    | creator pid (8)                                              |  changes on open
 *        |                        ... zero ...                          |  and close
 *  128   +--------------------------------------------------------------+
 *        | tail: producer position (8)      own 128-byte line            |  producers
 *  256   +--------------------------------------------------------------+
 *        | head: consumer position (8)      own 128-byte line            |  consumer
 *  384   +--------------------------------------------------------------+
 *        | consumer doorbell: state (4) | futex word (4) | vow (4)       |  consumer sleeps,
 *  512   +--------------------------------------------------------------+  producers wake
 *        | producer doorbell: state (4) | futex word (4) | vow (4)       |  producers sleep,
 *  640   +--------------------------------------------------------------+  consumer wakes
 *        |                        ... zero ...                          |
 *  1024  +==============================================================+
 *        | data region: capacity bytes (a power of two), records        |
 *        +--------------------------------------------------------------+
 *
 *  one record, 8-byte aligned; its length counts the header, its slot is length rounded up to 8
 *
 *  0      4      8                                       align8(length)
 *  +------+------+---------------------------------------+
 *  |length| type | payload (length - 8 bytes)   | pad    |
 *  +------+------+---------------------------------------+
 *
 *  length &gt; 0: committed (released by the producer, acquired by the consumer)
 *  length &lt; 0: claimed by a producer, payload being written (-length is the record length)
 *  length = 0: free (the consumer zeroes every slot it has consumed)
 *  type  = PADDING_TYPE: filler from here to the end of the data region, skipped by readers
 * </pre>
 *
 * <p>Positions (head, tail) count bytes since the ring was made and never wrap; the index
 * in the data region is {@code position & (capacity - 1)}. Two 128-byte lines per counter
 * keep the adjacent-line prefetcher from making the producer and consumer share a line.
 */
final class RingLayout {

    /** "WEFTRING" in ASCII, big-endian. */
    static final long MAGIC = 0x5745_4654_5249_4E47L;
    static final int VERSION = 1;

    static final int KIND_ONE_TO_ONE = 1;
    static final int KIND_MANY_TO_ONE = 2;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 8;
    static final long KIND_OFFSET = 12;
    static final long CAPACITY_OFFSET = 16;
    static final long MAX_RECORD_OFFSET = 20;
    static final long REFS_OFFSET = 24;
    static final long CREATOR_PID_OFFSET = 32;
    static final long TAIL_OFFSET = 128;
    static final long HEAD_OFFSET = 256;
    static final long CONSUMER_BELL_OFFSET = 384;
    static final long PRODUCER_BELL_OFFSET = 512;

    static final int HEADER_LENGTH = 1024;

    /** Record header: length (int) then type (int). */
    static final int RECORD_HEADER_LENGTH = 8;
    static final int LENGTH_OFFSET = 0;
    static final int TYPE_OFFSET = 4;
    static final int ALIGNMENT = 8;

    /** Type of a filler record; user types must be non-negative. */
    static final int PADDING_TYPE = -1;

    static final int MIN_CAPACITY = 1024;
    static final int MAX_CAPACITY = 1 << 30;

    private RingLayout() {
    }

    static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** The longest record (header included) a ring of {@code capacity} takes. */
    static int maxRecordLength(int capacity) {
        return capacity / 8;
    }
}
