package io.weft.ipc;

import io.weft.Deadline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

@Tag("mode-independent") // no tasks: runs once
class OneToOneRingTest {

    private final List<Path> paths = new ArrayList<>();

    private Path path(String name) {
        Path p = ShmPaths.fresh(name);
        paths.add(p);
        return p;
    }

    @AfterEach
    void cleanUp() {
        paths.forEach(ShmPaths::deleteQuietly);
    }

    private static void writeLong(ShmRing ring, int type, long value) throws IOException {
        long i = ring.tryClaim(type, 8);
        assertTrue(i >= 0, "claim failed: " + i);
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, value);
        ring.commit(i);
    }

    @Test
    void recordsArriveInOrderWithTypeAndPayload() throws IOException {
        try (OneToOneRing w = OneToOneRing.create(path("order"), 4096); OneToOneRing r = OneToOneRing.open(w.path())) {
            for (int k = 0; k < 10; k++) {
                writeLong(w, k, 100 + k);
            }
            List<long[]> got = new ArrayList<>();
            int n = r.read((type, buf, index, length) -> got.add(new long[] {type, buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index), length}));
            assertEquals(10, n);
            for (int k = 0; k < 10; k++) {
                assertArrayEquals(new long[] {k, 100 + k, 8}, got.get(k));
            }
            assertEquals(0, r.read((t, b, i, l) -> fail("no more records")));
        }
    }

    @Test
    void wrapAroundWritesPaddingAndKeepsEveryRecord() throws IOException {
        try (OneToOneRing ring = OneToOneRing.create(path("wrap"), 1024)) {
            // 40-byte payloads make 48-byte slots, which do not divide 1024: every lap ends in padding.
            byte[] payload = new byte[40];
            long next = 0;
            long seen = 0;
            for (int round = 0; round < 200; round++) {
                for (int k = 0; k < 5; k++) {
                    payload[0] = (byte) next;
                    MemorySegment.ofArray(payload).set(ValueLayout.JAVA_LONG_UNALIGNED, 8, next);
                    assertTrue(ring.tryWrite(3, payload, 0, payload.length));
                    next++;
                }
                long[] expect = {seen};
                int n = 0;
                while (expect[0] < next) {
                    n += ring.read((type, buf, index, length) -> {
                        assertEquals(3, type);
                        assertEquals(40, length);
                        assertEquals(expect[0]++, buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index + 8));
                    });
                }
                seen = expect[0];
                assertEquals(5, n);
            }
            assertEquals(1000, seen);
            assertEquals(0, ring.size());
        }
    }

    @Test
    void paddingAloneIsNotARecordAndAReadAfterItFindsTheNextOne() throws IOException {
        try (OneToOneRing ring = OneToOneRing.create(path("pad"), 1024)) {
            byte[] payload = new byte[40]; // 48-byte slots: 21 fill 1008 bytes, leaving 16 at the end
            for (int i = 0; i < 21; i++) {
                assertTrue(ring.tryWrite(1, payload, 0, payload.length));
            }
            assertEquals(21, ring.read((type, buf, index, length) -> { }));
            // The next record does not fit in the 16 bytes left: they become padding, and the
            // record is claimed at the region's start but not committed yet.
            long index = ring.tryClaim(2, 16);
            assertTrue(index >= 0);
            assertFalse(ring.hasRecords(), "padding alone is not a record");
            int[] none = {0};
            assertEquals(0, ring.read((type, buf, at, length) -> none[0]++, 1));
            assertEquals(0, none[0]);
            ring.commit(index);
            assertTrue(ring.hasRecords());
            int[] types = {0};
            assertEquals(1, ring.read((type, buf, at, length) -> types[0] = type, 1), "one read crosses the padding");
            assertEquals(2, types[0]);
            assertFalse(ring.hasRecords());
        }
    }

    @Test
    void batchReadHonoursTheLimit() throws IOException {
        try (OneToOneRing ring = OneToOneRing.create(path("batch"), 4096)) {
            for (int k = 0; k < 20; k++) {
                writeLong(ring, 1, k);
            }
            long[] next = {0};
            RecordHandler h = (type, buf, index, length) -> assertEquals(next[0]++, buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index));
            assertEquals(8, ring.read(h, 8));
            assertEquals(8, ring.read(h, 8));
            assertEquals(4, ring.read(h, 8));
            assertEquals(0, ring.read(h, 8));
            assertEquals(20, next[0]);
        }
    }

    @Test
    void fullRingReturnsTheSentinelAndRecoversAfterARead() throws IOException {
        try (OneToOneRing ring = OneToOneRing.create(path("full"), 1024)) {
            int written = 0;
            while (ring.tryClaim(1, 120) >= 0) {
                written++;
                // claims left uncommitted still take their space
            }
            assertEquals(1024 / 128, written);
            assertEquals(ShmRing.INSUFFICIENT_CAPACITY, ring.tryClaim(1, 0));
            assertFalse(ring.tryWrite(1, new byte[1], 0, 1));
        }
        try (OneToOneRing ring = OneToOneRing.create(path("full2"), 1024)) {
            byte[] b = new byte[120];
            int written = 0;
            while (ring.tryWrite(1, b, 0, b.length)) {
                written++;
            }
            assertEquals(8, written);
            assertEquals(1, ring.read((t, buf, i, l) -> { }, 1));
            assertTrue(ring.tryWrite(1, b, 0, b.length));
            assertFalse(ring.tryWrite(1, b, 0, b.length));
        }
    }

    @Test
    void abortedClaimsAreSkipped() throws IOException {
        try (OneToOneRing ring = OneToOneRing.create(path("abort"), 1024)) {
            long a = ring.tryClaim(1, 8);
            ring.abort(a);
            writeLong(ring, 2, 77);
            List<Integer> types = new ArrayList<>();
            assertEquals(1, ring.read((t, b, i, l) -> types.add(t)));
            assertEquals(List.of(2), types);
            assertThrows(IllegalStateException.class, () -> ring.commit(a));
        }
    }

    @Test
    void badArgumentsAreRefused() throws IOException {
        try (OneToOneRing ring = OneToOneRing.create(path("args"), 1024)) {
            assertEquals(120, ring.maxPayloadLength());
            assertThrows(IllegalArgumentException.class, () -> ring.tryClaim(1, 121));
            assertThrows(IllegalArgumentException.class, () -> ring.tryClaim(-1, 8));
            assertThrows(IllegalArgumentException.class, () -> ring.commit(3));
            assertThrows(IllegalArgumentException.class, () -> ring.commit(1 << 20));
        }
        assertThrows(IllegalArgumentException.class, () -> OneToOneRing.create(path("cap"), 1000));
    }

    @Test
    void recordLengthOutOfRangeIsACorruptionNotAnOverrun() throws IOException {
        try (OneToOneRing ring = OneToOneRing.create(path("badlen"), 1024)) {
            writeLong(ring, 1, 5);
            ring.buffer().set(ValueLayout.JAVA_INT, 0, 1 << 20);
            RingCorruptedException e = assertThrows(RingCorruptedException.class, () -> ring.read((t, b, i, l) -> fail("handed a bad record")));
            assertTrue(e.getMessage().contains("record length 1048576"), e.getMessage());
            ring.buffer().set(ValueLayout.JAVA_INT, 0, 3);
            assertThrows(RingCorruptedException.class, () -> ring.read((t, b, i, l) -> fail("handed a bad record")));
            ring.buffer().set(ValueLayout.JAVA_INT, 0, -5000);
            assertThrows(RingCorruptedException.class, () -> ring.read((t, b, i, l) -> fail("handed a bad record")));
        }
    }

    @Test
    void createIsExclusiveAndOwnerOnly() throws IOException {
        Path p = path("excl");
        try (OneToOneRing ring = OneToOneRing.create(p, 1024)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> OneToOneRing.create(p, 1024));
            assertTrue(e.getMessage().contains("O_EXCL"), e.getMessage());
            assertEquals(1024 + 1024, Files.size(p));
        }
    }

    @Test
    void fileIsUnlinkedWhenBothSidesClose() throws IOException {
        Path p = path("unlink");
        OneToOneRing a = OneToOneRing.create(p, 1024);
        OneToOneRing b = OneToOneRing.open(p);
        a.close();
        assertTrue(Files.exists(p), "one side still attached");
        b.close();
        assertFalse(Files.exists(p), "the last side to close unlinks");
        b.close();
    }

    @Test
    void unlinkRemovesTheNameAndKeepsTheMapping() throws IOException {
        Path p = path("unlink-now");
        try (OneToOneRing a = OneToOneRing.create(p, 1024); OneToOneRing b = OneToOneRing.open(p)) {
            a.unlink(); // as after the peer's death
            assertFalse(Files.exists(p));
            writeLong(a, 1, 5);
            assertEquals(1, b.read((t, buf, i, l) -> assertEquals(5, buf.get(ValueLayout.JAVA_LONG_UNALIGNED, i))));
        }
    }

    @Test
    void corruptedHeaderIsRefusedOnOpen() throws IOException {
        Path p = path("corrupt");
        try (OneToOneRing ring = OneToOneRing.create(p, 1024)) {
            MemorySegment h = ring.file.header;
            h.set(ValueLayout.JAVA_INT, RingLayout.VERSION_OFFSET, 99);
            RingCorruptedException v = assertThrows(RingCorruptedException.class, () -> OneToOneRing.open(p));
            assertTrue(v.getMessage().contains("version 99"), v.getMessage());
            h.set(ValueLayout.JAVA_INT, RingLayout.VERSION_OFFSET, RingLayout.VERSION);
            h.set(ValueLayout.JAVA_INT, RingLayout.CAPACITY_OFFSET, 1 << 20);
            RingCorruptedException c = assertThrows(RingCorruptedException.class, () -> OneToOneRing.open(p));
            assertTrue(c.getMessage().contains("capacity"), c.getMessage());
            h.set(ValueLayout.JAVA_INT, RingLayout.CAPACITY_OFFSET, 1024);
            h.set(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET, 1 << 20);
            assertThrows(RingCorruptedException.class, () -> OneToOneRing.open(p));
            h.set(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET, 0);
            h.set(ValueLayout.JAVA_LONG, RingLayout.MAGIC_OFFSET, 1);
            RingCorruptedException m = assertThrows(RingCorruptedException.class, () -> OneToOneRing.open(p));
            assertTrue(m.getMessage().contains("magic"), m.getMessage());
            assertThrows(RingCorruptedException.class, () -> ManyToOneRing.open(p));
        }
        Path tiny = path("tiny");
        Files.write(tiny, new byte[10]);
        assertThrows(RingCorruptedException.class, () -> OneToOneRing.open(tiny));
    }

    @Test
    void kindMismatchIsRefused() throws IOException {
        try (ManyToOneRing ring = ManyToOneRing.create(path("kind"), 1024)) {
            RingCorruptedException e = assertThrows(RingCorruptedException.class, () -> OneToOneRing.open(ring.path()));
            assertTrue(e.getMessage().contains("many-to-one"), e.getMessage());
        }
    }

    @Test
    void waitsTimeOutAndSeeRecordsWithEveryStrategy() throws Exception {
        for (WaitStrategy s : List.of(WaitStrategy.busySpin(), WaitStrategy.yielding(), WaitStrategy.backoff(), WaitStrategy.notifying())) {
            try (OneToOneRing ring = OneToOneRing.create(path("wait-" + s.name()), 1024)) {
                assertFalse(ring.awaitRecords(s, Deadline.after(Duration.ofMillis(20))), s.name());
                Thread producer = Thread.ofPlatform().start(() -> {
                    try {
                        Thread.sleep(30);
                        writeLong(ring, 1, 9);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertTrue(ring.awaitRecords(s, Deadline.after(Duration.ofSeconds(10))), s.name());
                producer.join();
                assertEquals(1, ring.read((t, b, i, l) -> assertEquals(9, b.get(ValueLayout.JAVA_LONG_UNALIGNED, i))));
            }
        }
    }

    @Test
    void claimWaitsForSpace() throws Exception {
        try (OneToOneRing ring = OneToOneRing.create(path("space"), 1024)) {
            byte[] b = new byte[120];
            while (ring.tryWrite(1, b, 0, b.length)) {
                // fill
            }
            assertEquals(ShmRing.INSUFFICIENT_CAPACITY, ring.claim(1, 120, WaitStrategy.notifying(), Deadline.after(Duration.ofMillis(20))));
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(30);
                    ring.read((t, buf, i, l) -> { }, 1);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long i = ring.claim(1, 120, WaitStrategy.notifying(), Deadline.after(Duration.ofSeconds(10)));
            assertTrue(i >= 0);
            ring.commit(i);
            consumer.join();
        }
    }
}
