package io.weft.ipc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.weft.ipc.RingLayout.*;

/**
 * A ring file mapped into this process: made with O_EXCL and mode 0600, checked on open,
 * and unlinked by whichever side detaches last.
 */
/*
 * Overview
 *
 * refs (header word, int) counts the sides attached to the file:
 *
 *   n > 0   n mappings (in any processes) use the ring; open() CASes n -> n+1
 *   0       every side has closed; the one that moved it 1 -> 0 unlinked the file, and
 *           open() refuses it (a file may still be found between the last close and unlink)
 *
 * All accesses are CAS (volatile), so the unlink happens after every side's last write.
 * A side that dies never decrements; whoever sees it die calls unlinkNow() (RPC does, on
 * peer death), and a file left behind is at worst a stale name in /dev/shm.
 */
final class RingFile implements AutoCloseable {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    final Path path;
    final Arena arena;
    final MemorySegment header;
    final MemorySegment data;
    final int capacity;
    /** false while mapped, true once close() has begun; set once by CAS. */
    private final AtomicBoolean closed = new AtomicBoolean();

    private RingFile(Path path, Arena arena, MemorySegment mapping, int capacity) {
        this.path = path;
        this.arena = arena;
        this.header = mapping.asSlice(0, HEADER_LENGTH);
        this.data = mapping.asSlice(HEADER_LENGTH, capacity);
        this.capacity = capacity;
    }

    static RingFile create(Path path, int capacity, int kind) throws IOException {
        checkCapacity(capacity);
        FileChannel ch;
        try {
            // CREATE_NEW is open(2) with O_CREAT|O_EXCL; the attribute is its mode, 0600.
            ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(path.toString(), null, "ring file exists already (created with O_EXCL; remove a stale one first)");
        }
        Arena arena = Arena.ofShared();
        try (ch) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, (long) HEADER_LENGTH + capacity, arena);
            RingFile f = new RingFile(path, arena, m, capacity);
            f.initHeader(kind);
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * A ring in this process's memory, with no file: for tests of the memory ordering,
     * which make rings by the thousand. Freed by the GC; close() only detaches.
     */
    static RingFile anonymous(int capacity, int kind) {
        checkCapacity(capacity);
        MemorySegment m = Arena.ofAuto().allocate((long) HEADER_LENGTH + capacity, 4096);
        RingFile f = new RingFile(null, null, m, capacity);
        f.initHeader(kind);
        return f;
    }

    private static void checkCapacity(int capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two in [" + MIN_CAPACITY + ", " + MAX_CAPACITY + "]: " + capacity);
        }
    }

    private void initHeader(int kind) {
        MemorySegment h = header;
        h.set(ValueLayout.JAVA_INT, VERSION_OFFSET, VERSION);
        h.set(ValueLayout.JAVA_INT, KIND_OFFSET, kind);
        h.set(ValueLayout.JAVA_INT, CAPACITY_OFFSET, capacity);
        h.set(ValueLayout.JAVA_INT, MAX_RECORD_OFFSET, maxRecordLength(capacity));
        h.set(ValueLayout.JAVA_INT, REFS_OFFSET, 1);
        h.set(ValueLayout.JAVA_LONG, CREATOR_PID_OFFSET, ProcessHandle.current().pid());
        // Magic last, released: open() acquires it and then sees the fields above.
        LONG.setRelease(h, MAGIC_OFFSET, MAGIC);
    }

    static RingFile open(Path path, int kind) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size < HEADER_LENGTH) {
                throw new RingCorruptedException(path + ": " + size + " bytes, shorter than a ring header (" + HEADER_LENGTH + ")");
            }
            MemorySegment head = ch.map(FileChannel.MapMode.READ_ONLY, 0, HEADER_LENGTH, arena);
            long magic = (long) LONG.getAcquire(head, MAGIC_OFFSET);
            if (magic != MAGIC) {
                throw new RingCorruptedException(path + ": bad ring magic 0x" + Long.toHexString(magic) + " (not a Weft ring, or corrupted)");
            }
            int version = head.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
            if (version != VERSION) {
                throw new RingCorruptedException(path + ": ring version " + version + ", this build reads version " + VERSION);
            }
            int k = head.get(ValueLayout.JAVA_INT, KIND_OFFSET);
            if (k != kind) {
                throw new RingCorruptedException(path + ": ring kind " + kindName(k) + ", opened as " + kindName(kind));
            }
            int capacity = head.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
            if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1 || size != (long) HEADER_LENGTH + capacity) {
                throw new RingCorruptedException(path + ": ring capacity " + capacity + " does not fit a file of " + size + " bytes");
            }
            int maxRecord = head.get(ValueLayout.JAVA_INT, MAX_RECORD_OFFSET);
            if (maxRecord != maxRecordLength(capacity)) {
                throw new RingCorruptedException(path + ": max record length " + maxRecord + " for capacity " + capacity);
            }
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            RingFile f = new RingFile(path, arena, m, capacity);
            f.checkPositions();
            f.attach();
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case KIND_ONE_TO_ONE -> "one-to-one";
            case KIND_MANY_TO_ONE -> "many-to-one";
            default -> "unknown (" + kind + ")";
        };
    }

    private void attach() throws IOException {
        while (true) {
            int refs = (int) INT.getVolatile(header, REFS_OFFSET);
            if (refs <= 0) {
                throw new NoSuchFileException(path.toString(), null, "ring already closed by every side");
            }
            if (INT.compareAndSet(header, REFS_OFFSET, refs, refs + 1)) {
                return;
            }
        }
    }

    /** Throws if head and tail cannot be the positions of one ring of this capacity. */
    void checkPositions() throws RingCorruptedException {
        long tail = (long) LONG.getVolatile(header, TAIL_OFFSET);
        long head = (long) LONG.getVolatile(header, HEAD_OFFSET);
        checkPositions(head, tail);
    }

    void checkPositions(long head, long tail) throws RingCorruptedException {
        if (head < 0 || tail < head || tail - head > capacity || (head & (ALIGNMENT - 1)) != 0) {
            throw new RingCorruptedException(path + ": ring positions head=" + head + " tail=" + tail + " impossible for capacity " + capacity);
        }
    }

    /** Pid of the process that created the file. */
    long creatorPid() {
        return header.get(ValueLayout.JAVA_LONG, CREATOR_PID_OFFSET);
    }

    /** Unlinks now, whatever the count (a peer died holding a reference). */
    void unlinkNow() throws IOException {
        if (path != null) {
            Files.deleteIfExists(path);
        }
    }

    /** Detaches; the last side to detach unlinks the file. Unmaps. Idempotent. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            int left = (int) INT.getAndAdd(header, REFS_OFFSET, -1) - 1;
            if (left <= 0) {
                unlinkNow();
            }
        } finally {
            if (arena != null) {
                arena.close();
            }
        }
    }
}
