package io.weft.ipc;

import io.weft.internal.linux.Errno;
import io.weft.net.OwnedFd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static io.weft.ipc.RingLayout.*;

/**
 * A ring's memory mapped into this process: either a sealed memory file (memfd) that
 * cannot shrink or grow, passed to the peer as a descriptor, or a named file made with
 * O_EXCL and mode 0600, checked on open, and unlinked by whichever side detaches last.
 * Either way the whole ring is reserved (fallocate) when it is made, so a full tmpfs fails
 * then and not at a later write.
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
 *
 * Why seals: a peer holding a descriptor of a named file can ftruncate it, and the next
 * access to the pages past the new end raises SIGBUS, which the JVM turns into an
 * InternalError at best and a crash at worst. A memfd sealed with F_SEAL_SHRINK can never
 * get shorter, and F_SEAL_SEAL keeps anyone from changing its seals, so the receiver checks
 * them once (F_GET_SEALS) with the size (fstat) and may then map it for good. Seals exist
 * only for memfds, so a named ring file stays open to truncation by any process of the
 * same uid: that mode is for peers that are trusted not to.
 */
final class RingFile implements AutoCloseable {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /** Seals a ring memfd carries, and must carry to be mapped. */
    static final int REQUIRED_SEALS = Syscalls.F_SEAL_SHRINK | Syscalls.F_SEAL_GROW | Syscalls.F_SEAL_SEAL;
    /** Attempts of the refs CAS before a peer that keeps changing it counts as corrupting it. */
    private static final int MAX_ATTACH_ATTEMPTS = 10_000;

    /** The file's name, or null for a memfd or an anonymous ring. */
    final Path path;
    /** The sealed memfd, or null for a named file or an anonymous ring; closed with this. */
    final OwnedFd memory;
    final Arena arena;
    final MemorySegment header;
    final MemorySegment data;
    final int capacity;
    /** false while mapped, true once close() has begun; set once by CAS. */
    private final AtomicBoolean closed = new AtomicBoolean();

    private RingFile(Path path, OwnedFd memory, Arena arena, MemorySegment mapping, int capacity) {
        this.path = path;
        this.memory = memory;
        this.arena = arena;
        this.header = mapping.asSlice(0, HEADER_LENGTH);
        this.data = mapping.asSlice(HEADER_LENGTH, capacity);
        this.capacity = capacity;
    }

    /** Creates a named ring file (O_EXCL, mode 0600), reserves its memory and maps it. */
    static RingFile create(Path path, int capacity, int kind) throws IOException {
        checkCapacity(capacity);
        long size = (long) HEADER_LENGTH + capacity;
        int fd = Syscalls.createExclusive(path.toString());
        if (fd == -Errno.EEXIST) {
            throw new FileAlreadyExistsException(path.toString(), null, "ring file exists already (created with O_EXCL; remove a stale one first)");
        }
        if (fd < 0) {
            throw Errno.exception(fd, "open(O_CREAT | O_EXCL) of a ring file", path);
        }
        Arena arena = Arena.ofShared();
        try (OwnedFd file = OwnedFd.adopt(fd)) {
            reserve(fd, size, () -> "ring file " + path + " on " + describeStore(path));
            MemorySegment m = file.map(arena, 0, size);
            RingFile f = new RingFile(path, null, arena, m, capacity);
            f.initHeader(kind);
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * Creates a ring in a new memfd: sized, reserved, sealed against shrinking and growing
     * (and against new seals), and mapped. Its descriptor ({@link #memory}) is what a peer
     * needs to {@link #open(OwnedFd, int) open} it.
     */
    static RingFile createSealed(int capacity, int kind) throws IOException {
        checkCapacity(capacity);
        long size = (long) HEADER_LENGTH + capacity;
        int fd = Syscalls.memfdCreateSealable("weft-ring");
        if (fd < 0) {
            throw Errno.exception(fd, "memfd_create for a ring", null);
        }
        OwnedFd memory = OwnedFd.adopt(fd);
        Arena arena = Arena.ofShared();
        try {
            int r = Syscalls.ftruncate(fd, size);
            if (r < 0) {
                throw Errno.exception(r, "ftruncate of a ring memfd to " + size + " bytes", null);
            }
            reserve(fd, size, () -> "a ring in anonymous shared memory (memfd)");
            r = Syscalls.addSeals(fd, REQUIRED_SEALS);
            if (r < 0) {
                throw Errno.exception(r, "fcntl(F_ADD_SEALS) on a ring memfd", null);
            }
            MemorySegment m = memory.map(arena, 0, size);
            RingFile f = new RingFile(null, memory, arena, m, capacity);
            f.initHeader(kind);
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            memory.close();
            throw e;
        }
    }

    /** fallocate: the memory is taken now, or the call fails here with a message naming the size and where. */
    private static void reserve(int fd, long size, Supplier<String> where) throws IOException {
        int r = Syscalls.fallocate(fd, size);
        if (r == -Errno.EOPNOTSUPP) {
            return; // a file system that cannot reserve: the ring is sparse there, as before
        }
        if (r < 0) {
            throw new IOException("cannot reserve " + size + " bytes for " + where.get() + ": "
                    + Errno.exception(r, "fallocate", null).getMessage());
        }
    }

    /** The mount a path is on, its type and free space, for an error message. */
    private static String describeStore(Path path) {
        try {
            FileStore store = Files.getFileStore(path.toAbsolutePath().getParent());
            return store + ", type " + store.type() + ", " + store.getUsableSpace() + " bytes free";
        } catch (IOException | RuntimeException e) {
            return "an unknown file system (" + e.getMessage() + ")";
        }
    }

    /**
     * A ring in this process's memory, with no file: for tests of the memory ordering,
     * which make rings by the thousand. Freed by the GC; close() only detaches.
     */
    static RingFile anonymous(int capacity, int kind) {
        checkCapacity(capacity);
        MemorySegment m = Arena.ofAuto().allocate((long) HEADER_LENGTH + capacity, 4096);
        RingFile f = new RingFile(null, null, null, m, capacity);
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

    /**
     * Maps a named ring file, checking its header. The size is checked before mapping; a
     * process that truncates the file later still can make the next access fail (see the
     * overview), which is why RPC uses sealed memfds instead.
     */
    static RingFile open(Path path, int kind) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size < HEADER_LENGTH) {
                throw new RingCorruptedException(path + ": " + size + " bytes, shorter than a ring header (" + HEADER_LENGTH + ")");
            }
            checkHeader(path.toString(), ch.map(FileChannel.MapMode.READ_ONLY, 0, HEADER_LENGTH, arena), size, kind);
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            return attached(new RingFile(path, null, arena, m, checkHeader(path.toString(), m, size, kind)));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Maps a ring memfd received from a peer, after checking that it carries
     * {@link #REQUIRED_SEALS} (so it can never shrink under the mapping) and that its size
     * (fstat) is a ring's. The ring keeps its own duplicate of the descriptor; the caller
     * still owns {@code fd}.
     *
     * @throws RingCorruptedException if the descriptor is not a sealed ring of this kind
     */
    static RingFile open(OwnedFd fd, int kind) throws IOException {
        OwnedFd memory = fd.duplicate();
        Arena arena = Arena.ofShared();
        try {
            String what = "ring memory fd " + memory.fd() + " (" + memory.describe() + ")";
            int seals = Syscalls.seals(memory.fd());
            if (seals < 0) {
                throw new RingCorruptedException(what + " cannot carry seals (" + Errno.exception(seals, "fcntl(F_GET_SEALS)", null).getMessage()
                        + "): not a memfd, so its sender could truncate it under the mapping");
            }
            if ((seals & REQUIRED_SEALS) != REQUIRED_SEALS) {
                throw new RingCorruptedException(what + " has seals 0x" + Integer.toHexString(seals) + ", not F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL (0x"
                        + Integer.toHexString(REQUIRED_SEALS) + "): its sender could change its size under the mapping");
            }
            long size = Syscalls.fileSize(memory.fd());
            if (size < 0) {
                throw Errno.exception((int) size, "fstat", what);
            }
            if (size < HEADER_LENGTH + MIN_CAPACITY || size > (long) HEADER_LENGTH + MAX_CAPACITY) {
                throw new RingCorruptedException(what + ": " + size + " bytes, not the size of a ring");
            }
            MemorySegment m = memory.map(arena, 0, size);
            return attached(new RingFile(null, memory, arena, m, checkHeader(what, m, size, kind)));
        } catch (IOException | RuntimeException e) {
            arena.close();
            memory.close();
            throw e;
        }
    }

    /** Checks the header at the start of {@code m} against a file of {@code size} bytes; returns the capacity. */
    private static int checkHeader(String what, MemorySegment m, long size, int kind) throws RingCorruptedException {
        long magic = (long) LONG.getAcquire(m, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new RingCorruptedException(what + ": bad ring magic 0x" + Long.toHexString(magic) + " (not a Weft ring, or corrupted)");
        }
        int version = m.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        if (version != VERSION) {
            throw new RingCorruptedException(what + ": ring version " + version + ", this build reads version " + VERSION);
        }
        int k = m.get(ValueLayout.JAVA_INT, KIND_OFFSET);
        if (k != kind) {
            throw new RingCorruptedException(what + ": ring kind " + kindName(k) + ", opened as " + kindName(kind));
        }
        int capacity = m.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1 || size != (long) HEADER_LENGTH + capacity) {
            throw new RingCorruptedException(what + ": ring capacity " + capacity + " does not fit a file of " + size + " bytes");
        }
        int maxRecord = m.get(ValueLayout.JAVA_INT, MAX_RECORD_OFFSET);
        if (maxRecord != maxRecordLength(capacity)) {
            throw new RingCorruptedException(what + ": max record length " + maxRecord + " for capacity " + capacity);
        }
        return capacity;
    }

    private static RingFile attached(RingFile f) throws IOException {
        f.checkPositions();
        f.attach();
        return f;
    }

    /** How error messages name this ring. */
    String name() {
        return path != null ? path.toString() : memory != null ? "ring memfd" : "anonymous ring";
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case KIND_ONE_TO_ONE -> "one-to-one";
            case KIND_MANY_TO_ONE -> "many-to-one";
            default -> "unknown (" + kind + ")";
        };
    }

    private void attach() throws IOException {
        for (int attempt = 0; attempt < MAX_ATTACH_ATTEMPTS; attempt++) {
            int refs = (int) INT.getVolatile(header, REFS_OFFSET);
            if (refs <= 0 || refs == Integer.MAX_VALUE) {
                throw new NoSuchFileException(name(), null, "ring already closed by every side (reference count " + refs + ")");
            }
            if (INT.compareAndSet(header, REFS_OFFSET, refs, refs + 1)) {
                return;
            }
        }
        throw new RingCorruptedException(name() + ": the reference count kept changing through " + MAX_ATTACH_ATTEMPTS + " attempts to attach");
    }

    /** Throws if head and tail cannot be the positions of one ring of this capacity. */
    void checkPositions() throws RingCorruptedException {
        long tail = (long) LONG.getVolatile(header, TAIL_OFFSET);
        long head = (long) LONG.getVolatile(header, HEAD_OFFSET);
        checkPositions(head, tail);
    }

    void checkPositions(long head, long tail) throws RingCorruptedException {
        if (!possible(head, tail)) {
            throw new RingCorruptedException(name() + ": ring positions head=" + head + " tail=" + tail + " impossible for capacity " + capacity);
        }
    }

    /** True if head and tail can be the positions of one ring of this capacity: ordered, at most a capacity apart, aligned. */
    boolean possible(long head, long tail) {
        return head >= 0 && tail >= head && tail - head <= capacity && ((head | tail) & (ALIGNMENT - 1)) == 0;
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
            if (memory != null) {
                memory.close();
            }
        }
    }
}
