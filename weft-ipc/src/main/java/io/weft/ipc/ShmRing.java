package io.weft.ipc;

import io.weft.Deadline;
import io.weft.net.OwnedFd;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import static io.weft.ipc.RingLayout.*;

/**
 * A ring of records in memory shared between processes, mapped with FFM: a sealed memfd
 * (made by {@code create(capacity)}, passed to the other process as a descriptor, opened
 * there by {@code open(OwnedFd)}), or a named file (normally in /dev/shm). Producers {@link #tryClaim claim} a slot, write the payload in place into
 * {@link #buffer()}, and {@link #commit} it; the one consumer {@link #read reads} records
 * in batches. {@link OneToOneRing} has one producer, {@link ManyToOneRing} several.
 *
 * <pre>{@code
 * long i = ring.tryClaim(TYPE, 16);
 * if (i >= 0) {
 *     ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 42L);
 *     ring.commit(i);
 * }
 * ...
 * ring.read((type, buf, index, length) -> handle(buf.asSlice(index, length)), 64);
 * }</pre>
 *
 * <p>Thread confinement: {@link #read} and {@link #awaitRecords} from one consumer thread
 * at a time; claims from one producer thread ({@link OneToOneRing}) or any threads
 * ({@link ManyToOneRing}). {@link #close} after every thread in this process stopped
 * using the ring (unmapping under a reader is refused by the JDK, not a crash).
 *
 * <p>The other process is not trusted: every position and record length read from the
 * shared memory is checked before use, and a value no correct peer writes ends the call
 * with {@link RingCorruptedException} (never a read or write outside the mapping, never an
 * endless loop). A memfd ring can not be shrunk by its peer: {@code open(OwnedFd)} maps
 * only a descriptor sealed with F_SEAL_SHRINK, F_SEAL_GROW and F_SEAL_SEAL, of a ring's
 * size. A named ring file has no such guard (the kernel seals only memfds): a process of
 * the same uid that truncates it makes the next access fail, so use named files only
 * between processes trusted not to. Either kind reserves its memory when it is made, so a
 * full tmpfs fails {@code create} with an IOException rather than a later write.
 */
/*
 * Overview
 *
 * Layout and record states: RingLayout. Producer side (tryClaim/commit/abort) in the
 * subclasses and here; consumer side (read) here.
 *
 * Memory ordering, each release named with its acquire:
 *
 *   record length   setRelease in commit()/abort()/padding  ->  getAcquire in read():
 *                   the payload (and type) written before are visible to the reader
 *   head            setRelease in read() after zeroing       ->  getAcquire in the
 *                   claim's capacity check: a producer writes a slot only after the
 *                   consumer's reads and zeroing of it are done
 *   tail            setRelease (one-to-one) / CAS (many-to-one); read by producers only
 *                   (the consumer finds records by their length word, never by tail)
 *
 * A slot is zero when free, so the reader stops at the first length <= 0: 0 = not yet
 * claimed, < 0 = claimed but not committed. That is why read() zeroes what it consumed
 * before it releases head, and why a many-to-one producer may advance tail (CAS) before
 * writing the header: the reader waits on the zero.
 *
 * Every length the reader loads is checked against the data region before use, so a
 * corrupted ring gives RingCorruptedException, not a read past the mapping.
 *
 * Rejected: a consumer that polls tail (Lamport queue). It needs tail published after
 * every record, and with many producers tail runs ahead of committed records anyway.
 */
public abstract sealed class ShmRing implements AutoCloseable permits OneToOneRing, ManyToOneRing {

    /** {@link #tryClaim} sentinel: not enough free space now. */
    public static final long INSUFFICIENT_CAPACITY = -2;

    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    final RingFile file;
    final MemorySegment header;
    final MemorySegment data;
    final int capacity;
    final int mask;
    final int maxRecordLength;
    final Doorbell consumerBell;
    final Doorbell producerBell;

    ShmRing(RingFile file) {
        this.file = file;
        this.header = file.header;
        this.data = file.data;
        this.capacity = file.capacity;
        this.mask = capacity - 1;
        this.maxRecordLength = maxRecordLength(capacity);
        this.consumerBell = new Doorbell(header, CONSUMER_BELL_OFFSET);
        this.producerBell = new Doorbell(header, PRODUCER_BELL_OFFSET);
    }

    /** The data region; payload indexes from {@link #tryClaim} and {@link RecordHandler} point into it. */
    public final MemorySegment buffer() {
        return data;
    }

    /** Bytes in the data region (a power of two). */
    public final int capacity() {
        return capacity;
    }

    /** The largest payload one record carries: capacity / 8 minus the 8-byte record header. */
    public final int maxPayloadLength() {
        return maxRecordLength - RECORD_HEADER_LENGTH;
    }

    /** The ring file's name, or null for a memfd ring. */
    public final Path path() {
        return file.path;
    }

    /**
     * The sealed memory file of a ring made by {@code create(capacity)} or opened from a
     * descriptor: send it to the other process (for example with
     * {@link io.weft.net.UnixStream#send(java.nio.ByteBuffer, OwnedFd...)}), which maps it
     * with {@code open(OwnedFd)}. Owned by the ring (closed with it); null for a named file.
     */
    public final OwnedFd sharedMemory() {
        return file.memory;
    }

    /**
     * Claims a slot for a record of {@code type} with a payload of {@code length} bytes.
     *
     * @return the payload's index in {@link #buffer()}, to write into and then pass to
     *         {@link #commit} or {@link #abort}; or {@link #INSUFFICIENT_CAPACITY}
     * @throws IllegalArgumentException if type is negative or length out of [0, maxPayloadLength]
     * @throws RingCorruptedException if the ring's positions cannot be
     */
    public abstract long tryClaim(int type, int length) throws RingCorruptedException;

    /** Publishes the record claimed at {@code index} and rings the consumer if it sleeps. */
    public final void commit(long index) {
        int at = claimedHeader(index);
        int length = data.get(ValueLayout.JAVA_INT, at + LENGTH_OFFSET);
        INT.setRelease(data, (long) at + LENGTH_OFFSET, -length); // pairs with getAcquire in read()
        consumerBell.ring();
    }

    /** Gives up the slot claimed at {@code index}: the reader skips it as padding. */
    public final void abort(long index) {
        int at = claimedHeader(index);
        int length = data.get(ValueLayout.JAVA_INT, at + LENGTH_OFFSET);
        data.set(ValueLayout.JAVA_INT, at + TYPE_OFFSET, PADDING_TYPE);
        INT.setRelease(data, (long) at + LENGTH_OFFSET, -length); // pairs with getAcquire in read()
    }

    private int claimedHeader(long index) {
        // index == capacity is a record with no payload in the region's last 8 bytes
        if (index < RECORD_HEADER_LENGTH || index > capacity || (index & (ALIGNMENT - 1)) != 0) {
            throw new IllegalArgumentException("not a claimed record index: " + index);
        }
        int at = (int) index - RECORD_HEADER_LENGTH;
        if (data.get(ValueLayout.JAVA_INT, at + LENGTH_OFFSET) >= 0) {
            throw new IllegalStateException("record at " + index + " is not claimed (committed or aborted already?)");
        }
        return at;
    }

    /** Claims, copies {@code length} bytes of {@code src} from {@code offset}, commits. False if full. */
    public final boolean tryWrite(int type, MemorySegment src, long offset, int length) throws RingCorruptedException {
        long i = tryClaim(type, length);
        if (i < 0) {
            return false;
        }
        MemorySegment.copy(src, offset, data, i, length);
        commit(i);
        return true;
    }

    /** Like {@link #tryWrite(int, MemorySegment, long, int)} from a byte array. */
    public final boolean tryWrite(int type, byte[] src, int offset, int length) throws RingCorruptedException {
        long i = tryClaim(type, length);
        if (i < 0) {
            return false;
        }
        MemorySegment.copy(src, offset, data, ValueLayout.JAVA_BYTE, i, length);
        commit(i);
        return true;
    }

    /**
     * Waits for space, then claims like {@link #tryClaim}.
     *
     * @return the payload index, or {@link #INSUFFICIENT_CAPACITY} if the deadline passed
     */
    public final long claim(int type, int length, WaitStrategy strategy, Deadline deadline) throws IOException {
        long i = tryClaim(type, length);
        while (i < 0) {
            if (!strategy.await(spaceFor(length), producerBell, deadline)) {
                return INSUFFICIENT_CAPACITY;
            }
            i = tryClaim(type, length);
        }
        return i;
    }

    /** What a producer waiting in {@link #claim} for room for a payload of {@code length} bytes waits on. */
    final BooleanSupplier spaceFor(int length) {
        int required = align(length + RECORD_HEADER_LENGTH);
        return () -> hasSpaceFor(required);
    }

    /** Producer-side space check for waits: free bytes cover the record and a worst-case padding. */
    final boolean hasSpaceFor(int aligned) {
        long head = (long) LONG.getAcquire(header, HEAD_OFFSET);
        long tail = (long) LONG.getVolatile(header, TAIL_OFFSET);
        if (!file.possible(head, tail)) {
            return true; // not waitable: the claim that follows reports the corruption
        }
        return capacity - (tail - head) >= required((int) tail & mask, aligned);
    }

    /**
     * Reads up to {@code limit} records, in order, handing each to {@code handler}; stops at
     * the first record not yet committed or at the end of the data region. Consumer only.
     *
     * <p>The batch's slots go back to producers when it ends. A handler that throws ends the
     * batch: its record and those before it count as consumed, the rest stay in the ring.
     * A batch that found only the padding at the end of the region goes on from its start,
     * so a read after {@link #hasRecords} said true hands over at least one record.
     *
     * @return the number of records handed over (padding is not counted)
     * @throws RingCorruptedException if a record length is out of range
     */
    public final int read(RecordHandler handler, int limit) throws RingCorruptedException {
        long before = (long) LONG.getOpaque(header, HEAD_OFFSET);
        int records = readContiguous(handler, limit);
        if (records == 0 && limit > 0) {
            long after = (long) LONG.getOpaque(header, HEAD_OFFSET);
            if (after != before && ((int) after & mask) == 0) {
                records = readContiguous(handler, limit); // consumed only the padding: go on from the start
            }
        }
        return records;
    }

    private int readContiguous(RecordHandler handler, int limit) throws RingCorruptedException {
        long head = (long) LONG.getOpaque(header, HEAD_OFFSET); // the consumer's own word, but the peer can write it too
        if (head < 0 || (head & (ALIGNMENT - 1)) != 0) {
            throw new RingCorruptedException(file.name() + ": consumer position (head) " + head + " is negative or not " + ALIGNMENT + "-byte aligned");
        }
        int headIndex = (int) head & mask;
        int contiguous = capacity - headIndex;
        int consumed = 0;
        int records = 0;
        try {
            while (consumed < contiguous && records < limit) {
                int at = headIndex + consumed;
                int length = (int) INT.getAcquire(data, (long) at + LENGTH_OFFSET); // pairs with setRelease in commit()
                if (length <= 0) {
                    if (length < 0) {
                        checkLength(length == Integer.MIN_VALUE ? length : -length, at, contiguous - consumed, true);
                    }
                    break;
                }
                int type = data.get(ValueLayout.JAVA_INT, at + TYPE_OFFSET);
                checkLength(length, at, contiguous - consumed, type == PADDING_TYPE);
                consumed += align(length);
                if (type != PADDING_TYPE) {
                    records++;
                    handler.onRecord(type, data, at + RECORD_HEADER_LENGTH, length - RECORD_HEADER_LENGTH);
                }
            }
        } finally {
            if (consumed > 0) {
                data.asSlice(headIndex, consumed).fill((byte) 0);
                LONG.setRelease(header, HEAD_OFFSET, head + consumed); // pairs with getAcquire in tryClaim
                producerBell.ring();
            }
        }
        return records;
    }

    /** Reads every record ready now, up to the end of the data region. */
    public final int read(RecordHandler handler) throws RingCorruptedException {
        return read(handler, Integer.MAX_VALUE);
    }

    private void checkLength(int length, int at, int available, boolean padding) throws RingCorruptedException {
        if (length < RECORD_HEADER_LENGTH || align(length) > available || (!padding && length > maxRecordLength)) {
            throw new RingCorruptedException(file.name() + ": record length " + length + " at data index " + at
                    + " out of range (header " + RECORD_HEADER_LENGTH + ", max " + (padding ? available : Math.min(available, maxRecordLength)) + ")");
        }
    }

    /**
     * True if a committed record is ready to {@link #read}. Padding (the filler at the end
     * of the region, or an {@link #abort aborted} record) does not count: the first record
     * after it must be committed too. Consumer only.
     */
    public final boolean hasRecords() {
        long head = (long) LONG.getOpaque(header, HEAD_OFFSET);
        if (head < 0 || (head & (ALIGNMENT - 1)) != 0) {
            return true; // a head no consumer writes: read() reports it
        }
        int at = (int) head & mask;
        for (int skipped = 0; skipped < capacity; ) {
            int length = (int) INT.getAcquire(data, (long) at + LENGTH_OFFSET); // pairs with setRelease in commit()/abort()/place()
            if (length <= 0) {
                return false;
            }
            if (data.get(ValueLayout.JAVA_INT, at + TYPE_OFFSET) != PADDING_TYPE) {
                return true;
            }
            if (length > capacity - at) {
                return true; // out of range: read() reports the corruption
            }
            skipped += align(length);
            at = (at + align(length)) & mask;
        }
        return false;
    }

    /**
     * The consumer's vow never to sleep on this ring: it waits for records only with the
     * spinning strategies ({@link WaitStrategy#busySpin()}, {@link WaitStrategy#yielding()},
     * {@link WaitStrategy#backoff()}) or by polling {@link #hasRecords}. Producers then
     * publish without the full memory fence that checking for a sleeping consumer needs,
     * which is most of a commit's cost when both sides spin. Irreversible for the ring's
     * life, for every process: a later sleeping wait for records ({@link WaitStrategy#notifying()},
     * {@link WaitStrategy#hybrid(java.time.Duration)}) throws {@link IllegalStateException}.
     * Consumer only, while it is not waiting.
     *
     * @throws IllegalStateException if the consumer is asleep on the ring now
     */
    public final void consumerNeverSleeps() {
        consumerBell.vowNeverToSleep("consumer");
    }

    /**
     * Waits until a record is ready to {@link #read}. Consumer only.
     *
     * @return true when a record is ready, false if {@code deadline} passed first
     */
    public final boolean awaitRecords(WaitStrategy strategy, Deadline deadline) throws IOException {
        if (hasRecords()) {
            return true;
        }
        return strategy.await(this::hasRecords, consumerBell, deadline);
    }

    /**
     * Gives the {@link WaitStrategy#notifying() notify} strategy (and the sleep that ends a
     * {@link WaitStrategy#hybrid(java.time.Duration) hybrid} wait) an eventfd per doorbell, for
     * tasks whose loop cannot wait on a futex (the epoll backend; io_uring before Linux 6.7):
     * {@code recordsBell} wakes a consumer waiting for records, {@code spaceBell} producers
     * waiting for space. Every process using the ring must set the same two eventfds (one
     * makes them with {@link OwnedFd#eventfd} and passes them over a Unix socket, as
     * {@link io.weft.net.UnixStream#send(java.nio.ByteBuffer, OwnedFd...)} does). The ring
     * does not own them: close them after the ring.
     *
     * <p>An eventfd doorbell serves one sleeper per bell at a time (a waking sleeper drains
     * its count): a consumer, or one producer task at a time, as RPC arranges with a lock
     * around its writes. Futex doorbells have no such limit.
     */
    public final void useEventFds(OwnedFd recordsBell, OwnedFd spaceBell) {
        consumerBell.eventFd(recordsBell);
        producerBell.eventFd(spaceBell);
    }

    /** Bytes claimed and not yet consumed (a snapshot). */
    public final long size() {
        long head = (long) LONG.getVolatile(header, HEAD_OFFSET);
        long tail = (long) LONG.getVolatile(header, TAIL_OFFSET);
        return tail - head;
    }

    /**
     * Removes the file's name now; the mappings stay valid. For a side that saw its peer
     * die, which will never detach (a ring whose sides all close is unlinked anyway).
     * Nothing to do for a memfd ring, which has no name.
     */
    public final void unlink() throws IOException {
        file.unlinkNow();
    }

    /** Detaches from the file (the last side to close unlinks a named one) and closes this side's descriptor of a memfd. Idempotent. */
    @Override
    public void close() throws IOException {
        file.close();
    }

    final void checkType(int type, int length) {
        if (type < 0) {
            throw new IllegalArgumentException("record type must be >= 0: " + type);
        }
        if (length < 0 || length > maxRecordLength - RECORD_HEADER_LENGTH) {
            throw new IllegalArgumentException("payload length " + length + " out of [0, " + maxPayloadLength() + "]");
        }
    }

    /**
     * Fills the space a producer reserved at {@code tailIndex}: a padding record to the end
     * of the data region if the record does not fit before it, then the claim mark (type,
     * then the negated record length). Returns the record's index.
     */
    final int place(int tailIndex, int aligned, int type, int recordLength) {
        int index = tailIndex;
        if (aligned > capacity - tailIndex) {
            data.set(ValueLayout.JAVA_INT, tailIndex + TYPE_OFFSET, PADDING_TYPE);
            INT.setRelease(data, (long) tailIndex + LENGTH_OFFSET, capacity - tailIndex); // pairs with getAcquire in read()
            index = 0;
        }
        data.set(ValueLayout.JAVA_INT, index + TYPE_OFFSET, type);
        INT.setRelease(data, (long) index + LENGTH_OFFSET, -recordLength); // type visible before the claim mark
        return index;
    }

    /** Bytes a record of {@code aligned} bytes takes at {@code tailIndex}: itself, plus padding if it wraps. */
    final int required(int tailIndex, int aligned) {
        int toEnd = capacity - tailIndex;
        return aligned <= toEnd ? aligned : toEnd + aligned;
    }
}
