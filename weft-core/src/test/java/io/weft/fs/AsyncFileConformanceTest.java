package io.weft.fs;

import io.weft.Deadline;
import io.weft.Scope;
import io.weft.Task;
import io.weft.TestSupport;
import io.weft.ThrowingRunnable;
import io.weft.Weft;
import io.weft.internal.backend.Capability;
import io.weft.internal.loop.EventLoop;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The file behaviour every backend must have, written once and run on each backend this
 * machine offers: natively on io_uring, on the blocking pool on epoll and nio.
 */
@Timeout(120)
class AsyncFileConformanceTest {

    @TempDir
    Path tmp;

    static Stream<String> backends() {
        return Stream.of("io_uring", "epoll", "nio");
    }

    static void on(String backend, ThrowingRunnable body) throws Exception {
        TestSupport.onBackend(backend, body);
    }

    static byte[] random(Random rnd, int size) {
        byte[] b = new byte[size];
        rnd.nextBytes(b);
        return b;
    }

    /** Asserts that {@code call} throws {@code type} whose message names {@code errno} and {@code path}. */
    static <T extends Exception> T assertFailsNaming(Class<T> type, String errno, Path path, Executable call) {
        T e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(errno) && e.getMessage().contains(path.toString()), e.getMessage());
        return e;
    }

    static boolean nativeFileIo() {
        return EventLoop.current().provider().capabilities().contains(Capability.NATIVE_FILE_IO);
    }

    static boolean isRoot() throws IOException {
        return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void ioUringRunsFilesNativelyAndTheOthersOnThePool(String backend) throws Exception {
        on(backend, () -> assertEquals(backend.equals("io_uring"), nativeFileIo(),
                backend + " NATIVE_FILE_IO (io_uring has it on a kernel with MKDIRAT, 5.15+)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void roundTripsRandomContentOfManySizesAtRandomOffsetsInEveryBufferKind(String backend) throws Exception {
        Path p = tmp.resolve("round-trip");
        int[] sizes = {1, 7, 511, 4095, 4096, 4097, 65_536, 100_003, 1 << 20, (1 << 20) + 13, 3 << 20};
        Random rnd = new Random(0x5eed);
        int extent = 8 << 20;
        byte[] model = new byte[extent];
        long[] end = {0};
        on(backend, () -> {
            try (AsyncFile f = AsyncFile.open(p, CREATE_NEW, READ, WRITE); Arena arena = Arena.ofConfined()) {
                for (int round = 0; round < 3; round++) {
                    for (int size : sizes) {
                        int kind = rnd.nextInt(4);
                        long pos = rnd.nextInt(extent - size);
                        byte[] data = random(rnd, size);
                        byte[] back = new byte[size];
                        switch (kind) {
                            case 0 -> {
                                f.writeAll(pos, data);
                                f.readFully(pos, back);
                            }
                            case 1 -> {
                                ByteBuffer out = ByteBuffer.allocateDirect(size).put(data).flip();
                                f.writeAll(pos, out);
                                assertEquals(0, out.remaining(), "writeAll consumes the buffer");
                                ByteBuffer in = ByteBuffer.allocateDirect(size);
                                f.readFully(pos, in);
                                assertEquals(0, in.remaining(), "readFully fills the buffer");
                                in.flip().get(back);
                            }
                            case 2 -> {
                                MemorySegment out = arena.allocate(size);
                                MemorySegment.copy(data, 0, out, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, size);
                                f.writeAll(pos, out, Deadline.after(Duration.ofSeconds(30)));
                                MemorySegment in = arena.allocate(size);
                                f.readFully(pos, in, Deadline.after(Duration.ofSeconds(30)));
                                back = in.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                            }
                            default -> {
                                f.writeAll(pos, ByteBuffer.wrap(data));
                                ByteBuffer in = ByteBuffer.wrap(back);
                                f.readFully(pos, in);
                            }
                        }
                        assertArrayEquals(data, back, "size " + size + " at " + pos + " (buffer kind " + kind + ")");
                        System.arraycopy(data, 0, model, (int) pos, size);
                        end[0] = Math.max(end[0], pos + size);
                    }
                }
                assertEquals(end[0], f.size());
                // Reading at and past the end
                assertEquals(-1, f.read(end[0], new byte[10]));
                byte[] tail = new byte[100];
                assertEquals(40, f.read(end[0] - 40, tail), "a read across the end returns what there is");
                EOFException eof = assertThrows(EOFException.class, () -> f.readFully(end[0] - 40, new byte[100]));
                assertTrue(eof.getMessage().contains(p.toString()), eof.getMessage());
            }
        });
        // Checked outside Weft, by the JDK: the whole file equals the model
        byte[] onDisk = Files.readAllBytes(p);
        assertEquals(end[0], onDisk.length);
        assertArrayEquals(java.util.Arrays.copyOf(model, (int) end[0]), onDisk);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void concurrentWritersToSeparateRegionsEachLandWhereTheyWrote(String backend) throws Exception {
        Path p = tmp.resolve("regions");
        int writers = 16;
        int region = 256 * 1024;
        int chunk = 4096 + 17; // not a multiple of the page size: regions share pages
        byte[][] content = new byte[writers][];
        Random rnd = new Random(7);
        for (int i = 0; i < writers; i++) {
            content[i] = random(rnd, region);
        }
        on(backend, () -> {
            try (AsyncFile f = AsyncFile.open(p, CREATE_NEW, READ, WRITE)) {
                try (Scope s = Scope.open()) {
                    for (int i = 0; i < writers; i++) {
                        int w = i;
                        s.spawn(() -> {
                            for (int off = 0; off < region; off += chunk) {
                                int len = Math.min(chunk, region - off);
                                f.writeAll((long) w * region + off, content[w], off, len);
                            }
                        });
                    }
                    s.join();
                }
                f.force(false);
                assertEquals((long) writers * region, f.size());
                try (Scope s = Scope.open()) {
                    for (int i = 0; i < writers; i++) {
                        int w = i;
                        s.spawn(() -> {
                            byte[] back = new byte[region];
                            f.readFully((long) w * region, back);
                            assertArrayEquals(content[w], back, "region " + w);
                        });
                    }
                    s.join();
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void concurrentAppendsEachLandWholeAtTheEnd(String backend) throws Exception {
        Path p = tmp.resolve("log");
        int appenders = 8;
        int records = 50;
        int recordSize = 100;
        on(backend, () -> {
            AsyncFiles.writeString(p, "head\n");
            try (AsyncFile f = AsyncFile.open(p, APPEND)) {
                assertThrows(IllegalStateException.class, () -> f.write(0, new byte[1], 0, 1), "positional write on an APPEND file");
                try (Scope s = Scope.open()) {
                    for (int a = 0; a < appenders; a++) {
                        int id = a;
                        s.spawn(() -> {
                            for (int r = 0; r < records; r++) {
                                byte[] rec = new byte[recordSize];
                                java.util.Arrays.fill(rec, (byte) ('A' + id));
                                byte[] tag = String.format("%02d:%03d", id, r).getBytes();
                                System.arraycopy(tag, 0, rec, 0, tag.length);
                                rec[recordSize - 1] = '\n';
                                f.append(rec);
                            }
                        });
                    }
                    s.join();
                }
                assertEquals(5 + (long) appenders * records * recordSize, f.size());
            }
            assertThrows(IllegalStateException.class, () -> {
                try (AsyncFile f = AsyncFile.open(p, WRITE)) {
                    f.append(new byte[1]);
                }
            }, "append on a file not opened with APPEND");
        });
        byte[] all = Files.readAllBytes(p);
        assertEquals("head\n", new String(all, 0, 5));
        Set<String> seen = new HashSet<>();
        for (int off = 5; off < all.length; off += recordSize) {
            String rec = new String(all, off, recordSize);
            int id = rec.charAt(0) * 10 + rec.charAt(1) - '0' * 11;
            assertEquals(String.valueOf((char) ('A' + id)).repeat(recordSize - 7), rec.substring(6, recordSize - 1), "record at " + off + " is whole");
            assertTrue(seen.add(rec.substring(0, 6)), "record " + rec.substring(0, 6) + " appears once");
        }
        assertEquals(appenders * records, seen.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void sizeTruncateForceAndClose(String backend) throws Exception {
        Path p = tmp.resolve("sized");
        on(backend, () -> {
            byte[] data = random(new Random(3), 10_000);
            AsyncFile f = AsyncFile.open(p, CREATE, READ, WRITE);
            f.writeAll(0, data);
            f.force(true);
            f.force(false);
            assertEquals(10_000, f.size());
            f.truncate(4000);
            assertEquals(4000, f.size());
            f.truncate(9000);
            assertEquals(4000, f.size(), "truncate never grows a file (FileChannel.truncate)");
            byte[] back = new byte[4000];
            f.readFully(0, back);
            assertArrayEquals(java.util.Arrays.copyOf(data, 4000), back);
            assertTrue(f.isOpen());
            f.close();
            f.close(); // idempotent
            assertFalse(f.isOpen());
            assertThrows(ClosedChannelException.class, () -> f.read(0, new byte[1]));
            assertThrows(ClosedChannelException.class, () -> f.writeAll(0, new byte[1]));
            assertThrows(ClosedChannelException.class, f::size);
            try (AsyncFile r = AsyncFile.open(p)) {
                assertThrows(NonWritableChannelException.class, () -> r.write(0, new byte[1], 0, 1), "write on a file opened for reading");
                assertThrows(NonWritableChannelException.class, () -> r.truncate(0));
            }
            try (AsyncFile w = AsyncFile.open(p, WRITE)) {
                assertThrows(NonReadableChannelException.class, () -> w.read(0, new byte[1]));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void closingManyFilesReleasesTheirDescriptors(String backend) throws Exception {
        Path p = tmp.resolve("fds");
        Files.write(p, new byte[] {1, 2, 3});
        on(backend, () -> {
            int before = TestSupport.openFds();
            for (int i = 0; i < 300; i++) {
                try (AsyncFile f = AsyncFile.open(p)) {
                    assertEquals(3, f.read(0, new byte[8]));
                }
            }
            int after = TestSupport.openFds();
            assertTrue(after <= before + 5, "fds before " + before + ", after 300 open/close " + after);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void missingFilesDirectoriesAndExistingFilesFailAsTheJdkDoes(String backend) throws Exception {
        Path missing = tmp.resolve("no-such-file");
        Path dir = tmp.resolve("a-dir");
        Files.createDirectory(dir);
        Files.writeString(dir.resolve("inside"), "x");
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "content");
        on(backend, () -> {
            assertFailsNaming(NoSuchFileException.class, "ENOENT", missing, () -> AsyncFile.open(missing));
            assertThrows(NoSuchFileException.class, () -> AsyncFile.open(missing, WRITE), "WRITE without CREATE");
            assertThrows(NoSuchFileException.class, () -> AsyncFiles.stat(missing));
            assertThrows(NoSuchFileException.class, () -> AsyncFiles.delete(missing));
            assertThrows(NoSuchFileException.class, () -> AsyncFiles.readAllBytes(missing));
            assertThrows(NoSuchFileException.class, () -> AsyncFiles.rename(missing, tmp.resolve("x")));
            assertFalse(AsyncFiles.deleteIfExists(missing));
            assertFalse(AsyncFiles.exists(missing));

            assertFailsNaming(FileSystemException.class, "EISDIR", dir, () -> AsyncFile.open(dir, WRITE));
            assertFailsNaming(FileSystemException.class, "EISDIR", dir, () -> {
                try (AsyncFile d = AsyncFile.open(dir)) {
                    d.read(0, new byte[16]);
                }
            });
            assertFailsNaming(FileAlreadyExistsException.class, "EEXIST", file, () -> AsyncFile.open(file, CREATE_NEW, WRITE));
            assertThrows(FileAlreadyExistsException.class, () -> AsyncFiles.createDirectory(dir));
            assertThrows(DirectoryNotEmptyException.class, () -> AsyncFiles.delete(dir));
            assertThrows(NotDirectoryException.class, () -> AsyncFiles.list(file));
            assertThrows(NotDirectoryException.class, () -> AsyncFile.open(file.resolve("below"), CREATE, WRITE),
                    "a path through a regular file (ENOTDIR)");
            assertEquals("content", AsyncFiles.readString(file), "failed calls changed nothing");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void accessDeniedWhenPermissionsForbid(String backend) throws Exception {
        Assumptions.assumeFalse(isRoot(), "runs as root, whom file permissions do not stop (CAP_DAC_OVERRIDE), so EACCES "
                + "cannot be produced; immutableFileIsAccessDenied and readOnlyFileSystemFailsWithErofs cover refusals as root");
        Path p = tmp.resolve("no-access");
        Files.writeString(p, "secret");
        Files.setPosixFilePermissions(p, Set.of());
        on(backend, () -> {
            assertFailsNaming(AccessDeniedException.class, "EACCES", p, () -> AsyncFile.open(p));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void immutableFileIsAccessDenied(String backend) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp, "1m")) {
            Path p = fs.dir.resolve("immutable");
            Files.writeString(p, "fixed");
            String err = Tmpfs.sh("chattr", "+i", p.toString());
            Assumptions.assumeTrue(err == null, "cannot make a file immutable here: " + err);
            try {
                on(backend, () -> {
                    assertFailsNaming(AccessDeniedException.class, "EPERM", p, () -> AsyncFile.open(p, WRITE));
                    assertThrows(AccessDeniedException.class, () -> AsyncFiles.delete(p));
                    assertEquals("fixed", AsyncFiles.readString(p));
                });
            } finally {
                Tmpfs.sh("chattr", "-i", p.toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void readOnlyFileSystemFailsWithErofs(String backend) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp, "1m")) {
            Path p = fs.dir.resolve("kept");
            Files.writeString(p, "kept");
            fs.remountReadOnly();
            on(backend, () -> {
                assertFailsNaming(FileSystemException.class, "EROFS", p, () -> AsyncFile.open(p, WRITE));
                assertThrows(FileSystemException.class, () -> AsyncFiles.createDirectory(fs.dir.resolve("d")));
                assertEquals("kept", AsyncFiles.readString(p));
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void fullFileSystemFailsWithEnospcAndKeepsWhatWasWritten(String backend) throws Exception {
        try (Tmpfs fs = Tmpfs.mount(tmp, "1m")) {
            Path p = fs.dir.resolve("filler");
            byte[] chunk = random(new Random(11), 64 * 1024 + 3);
            long[] written = {0};
            on(backend, () -> {
                try (AsyncFile f = AsyncFile.open(p, CREATE_NEW, READ, WRITE)) {
                    assertFailsNaming(FileSystemException.class, "ENOSPC", p, () -> {
                        for (int i = 0; i < 1000; i++) { // 64 MiB: far more than fits
                            int off = 0;
                            while (off < chunk.length) {
                                int n = f.write(written[0], chunk, off, chunk.length - off);
                                written[0] += n; // only what the file system took
                                off += n;
                            }
                        }
                    });
                    assertTrue(written[0] > 0 && written[0] <= 1 << 20, "wrote " + written[0] + " bytes before the file system was full");
                    assertEquals(written[0], f.size(), "the size is what was reported written");
                    byte[] back = new byte[(int) written[0]];
                    f.readFully(0, back);
                    for (int i = 0; i < back.length; i++) {
                        if (back[i] != chunk[i % chunk.length]) {
                            throw new AssertionError("byte " + i + " changed after ENOSPC");
                        }
                    }
                }
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void cancellingReadersMidReadLeavesFileAndHandleIntact(String backend) throws Exception {
        Path p = tmp.resolve("big");
        int size = 16 << 20;
        byte[] data = random(new Random(99), size);
        Files.write(p, data);
        on(backend, () -> {
            try (AsyncFile f = AsyncFile.open(p, READ, WRITE)) {
                Random rnd = new Random(5);
                for (int round = 0; round < 20; round++) {
                    int readers = 4;
                    List<Task<Void>> tasks = new ArrayList<>();
                    for (int r = 0; r < readers; r++) {
                        long seed = rnd.nextLong();
                        tasks.add(Weft.spawn(() -> {
                            Random my = new Random(seed);
                            byte[] buf = new byte[1 << 20];
                            for (;;) {
                                int pos = my.nextInt(size - buf.length);
                                int n = f.read(pos, buf, 0, buf.length);
                                for (int i = 0; i < n; i += 4093) {
                                    if (buf[i] != data[pos + i]) {
                                        throw new AssertionError("read at " + pos + " returned wrong byte " + i);
                                    }
                                }
                            }
                        }));
                    }
                    Weft.sleep(Duration.ofMillis(1 + rnd.nextInt(10)));
                    for (Task<Void> t : tasks) {
                        t.cancel();
                    }
                    for (Task<Void> t : tasks) {
                        assertThrows(CancellationException.class, t::join, "a reader that loops for ever ends only by cancellation");
                    }
                }
                assertTrue(f.isOpen(), "cancelled reads do not close the file");
                byte[] back = new byte[size];
                f.readFully(0, back);
                assertArrayEquals(data, back, "the file is intact after cancelled reads");
            }
        });
        assertArrayEquals(data, Files.readAllBytes(p));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void aPassedDeadlineStartsNothing(String backend) throws Exception {
        Path p = tmp.resolve("deadline");
        Files.writeString(p, "abc");
        on(backend, () -> {
            try (AsyncFile f = AsyncFile.open(p, READ, WRITE)) {
                Deadline past = Deadline.after(Duration.ZERO);
                byte[] b = new byte[3];
                assertThrows(InterruptedIOException.class, () -> f.read(0, b, 0, 3, past));
                assertThrows(InterruptedIOException.class, () -> f.write(0, "xyz".getBytes(), 0, 3, past));
                assertThrows(InterruptedIOException.class, () -> AsyncFile.open(p, Set.of(READ), past));
                assertEquals(3, f.read(0, b, 0, 3, Deadline.after(Duration.ofSeconds(10))));
                assertEquals("abc", new String(b), "the timed-out write wrote nothing");
            }
        });
    }

    /** A read the kernel parks (a FIFO with no writer data) is cancelled in the kernel: io_uring only. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void aReadParkedInTheKernelIsCancelledTimedOutOrClosed(String backend) throws Exception {
        Path fifo = tmp.resolve("fifo");
        String err = Tmpfs.sh("mkfifo", fifo.toString());
        Assumptions.assumeTrue(err == null, "no mkfifo: " + err);
        on(backend, () -> {
            Assumptions.assumeTrue(nativeFileIo(), backend + " runs file reads on the blocking pool, where a read "
                    + "blocked in the kernel is waited for, never interrupted (an interrupt would close the file)");
            // O_RDWR: opening a FIFO this way does not wait for a writer (Linux)
            try (AsyncFile f = AsyncFile.open(fifo, READ, WRITE); Arena arena = Arena.ofShared()) {
                MemorySegment buf = arena.allocate(64);
                Task<Integer> reader = Weft.spawn(() -> f.read(0, buf));
                TestSupport.awaitParked(reader.thread());
                reader.cancel();
                assertThrows(CancellationException.class, reader::join);

                long t0 = System.nanoTime();
                assertThrows(InterruptedIOException.class, () -> f.read(0, buf, Deadline.after(Duration.ofMillis(50))));
                assertTrue(System.nanoTime() - t0 >= 40_000_000L, "the deadline, not at once");

                // The file still works: data written now is read by the next read
                f.writeAll(0, "ping".getBytes());
                byte[] got = new byte[4];
                f.readFully(0, got);
                assertEquals("ping", new String(got));

                Task<Integer> parked = Weft.spawn(() -> f.read(0, buf));
                TestSupport.awaitParked(parked.thread());
                f.close();
                CompletionException e = assertThrows(CompletionException.class, parked::join);
                assertTrue(e.getCause() instanceof AsynchronousCloseException, e.toString());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void directoriesAndWholeFileHelpers(String backend) throws Exception {
        Path dir = tmp.resolve("tree");
        on(backend, () -> {
            AsyncFiles.createDirectory(dir);
            assertTrue(AsyncFiles.stat(dir).isDirectory());
            Set<Path> made = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                Path f = dir.resolve("f" + i);
                AsyncFiles.writeString(f, "file " + i + "\n".repeat(i));
                made.add(f);
            }
            AsyncFiles.createDirectory(dir.resolve("sub"));
            made.add(dir.resolve("sub"));
            assertEquals(made, new HashSet<>(AsyncFiles.list(dir)));

            FileStat st = AsyncFiles.stat(dir.resolve("f5"));
            assertTrue(st.isRegularFile());
            assertEquals("file 5".length() + 5, st.size());
            assertTrue(Math.abs(st.lastModified().toEpochMilli() - System.currentTimeMillis()) < 60_000, st.toString());

            Files.createSymbolicLink(dir.resolve("link"), dir.resolve("f5"));
            assertTrue(AsyncFiles.stat(dir.resolve("link"), false).isSymbolicLink());
            assertTrue(AsyncFiles.stat(dir.resolve("link")).isRegularFile());
            AsyncFiles.delete(dir.resolve("link"));

            AsyncFiles.rename(dir.resolve("f1"), dir.resolve("renamed"));
            assertFalse(AsyncFiles.exists(dir.resolve("f1")));
            assertEquals("file 1\n", AsyncFiles.readString(dir.resolve("renamed")));
            AsyncFiles.rename(dir.resolve("f2"), dir.resolve("renamed")); // replaces, as rename(2)
            assertEquals("file 2\n\n", AsyncFiles.readString(dir.resolve("renamed")));

            byte[] big = random(new Random(1), 3 << 20);
            AsyncFiles.write(dir.resolve("big"), big);
            assertEquals(big.length, AsyncFiles.copy(dir.resolve("big"), dir.resolve("copy")));
            assertArrayEquals(big, AsyncFiles.readAllBytes(dir.resolve("copy")));
            assertThrows(FileAlreadyExistsException.class, () -> AsyncFiles.copy(dir.resolve("f3"), dir.resolve("copy")));
            assertEquals(7, AsyncFiles.copy(dir.resolve("f0"), dir.resolve("copy"), StandardCopyOption.REPLACE_EXISTING) + 1);
            assertEquals("file 0", AsyncFiles.readString(dir.resolve("copy")));
            assertThrows(NoSuchFileException.class, () -> AsyncFiles.copy(dir.resolve("nothing"), dir.resolve("c2")));

            AsyncFiles.write(dir.resolve("f0"), "more".getBytes(), StandardOpenOption.APPEND);
            assertEquals("file 0more", AsyncFiles.readString(dir.resolve("f0")));

            for (Path p : AsyncFiles.list(dir)) {
                if (!p.getFileName().toString().equals("sub")) {
                    AsyncFiles.delete(p);
                }
            }
            AsyncFiles.delete(dir.resolve("sub"));
            assertTrue(AsyncFiles.list(dir).isEmpty());
            AsyncFiles.delete(dir);
            assertFalse(AsyncFiles.exists(dir));
        });
        assertFalse(Files.exists(dir));
    }

    @Test
    void filesNeedAWeftTask() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AsyncFile.open(tmp.resolve("x")));
        assertTrue(e.getMessage().contains("Weft task"), e.getMessage());
    }
}
