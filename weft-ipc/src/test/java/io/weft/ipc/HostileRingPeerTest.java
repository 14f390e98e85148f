package io.weft.ipc;

import io.weft.Deadline;
import io.weft.net.OwnedFd;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;

import static io.weft.ipc.RingLayout.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A ring whose other side writes what it likes through its own mapping of the same
 * memory: positions, header words, record lengths and types, and tries to resize the
 * memory. Every call on this side ends, with a result or a {@link RingCorruptedException},
 * and never touches memory outside the ring.
 */
@Tag("mode-independent") // no tasks: runs once
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileRingPeerTest {

    private static final int EPERM = 1;

    /** The peer's own mapping of a named ring file. */
    private static MemorySegment mapAgain(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size(), arena);
        }
    }

    @Test
    void aHeadAheadOfAnUnchangedTailEndsTheClaimInsteadOfSpinningForever() throws Exception {
        Path file = ShmPaths.fresh("head-ahead");
        try (ManyToOneRing ring = ManyToOneRing.create(file, 4096); Arena arena = Arena.ofShared()) {
            MemorySegment peer = mapAgain(file, arena);
            peer.set(ValueLayout.JAVA_LONG, TAIL_OFFSET, 4096);
            peer.set(ValueLayout.JAVA_LONG, HEAD_OFFSET, 4096 + 8);
            RingCorruptedException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(RingCorruptedException.class, () -> ring.tryClaim(1, 8)),
                    "tryClaim returns (with an error) instead of retrying forever");
            assertTrue(e.getMessage().contains("head=4104 tail=4096"), e.getMessage());
        } finally {
            ShmPaths.deleteQuietly(file);
        }
    }

    @Test
    void aSealedRingCannotBeResizedByItsPeer() throws Exception {
        try (ManyToOneRing ring = ManyToOneRing.create(64 * 1024); ManyToOneRing peer = ManyToOneRing.open(ring.sharedMemory())) {
            assertNull(ring.path(), "a memfd ring has no name");
            OwnedFd fd = peer.sharedMemory();
            long size = Syscalls.fileSize(fd.fd());
            assertEquals(HEADER_LENGTH + 64 * 1024, size);
            assertEquals(-EPERM, Syscalls.ftruncate(fd.fd(), 0), "shrinking is refused");
            assertEquals(-EPERM, Syscalls.ftruncate(fd.fd(), size + 4096), "growing is refused");
            try (FileChannel ch = fd.openChannel(StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                assertThrows(IOException.class, () -> ch.truncate(HEADER_LENGTH));
            }
            assertEquals(-EPERM, Syscalls.addSeals(fd.fd(), Syscalls.F_SEAL_WRITE), "the seals are final");
            // the last byte of the ring is still there, from both mappings
            peer.buffer().set(ValueLayout.JAVA_BYTE, peer.capacity() - 1, (byte) 7);
            assertEquals(7, ring.buffer().get(ValueLayout.JAVA_BYTE, ring.capacity() - 1));
            long i = peer.tryClaim(3, 8);
            peer.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 99L);
            peer.commit(i);
            long[] got = {0};
            assertEquals(1, ring.read((type, buf, index, length) -> got[0] = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index)));
            assertEquals(99L, got[0]);
        }
    }

    @Test
    void openRefusesMemoryThatIsNotSealedOrNotARingsSize() throws Exception {
        try (ManyToOneRing good = ManyToOneRing.create(4096);
             OwnedFd unsealed = OwnedFd.memfd("unsealed", HEADER_LENGTH + 4096);
             Arena arena = Arena.ofConfined()) {
            MemorySegment copy = unsealed.map(arena, 0, HEADER_LENGTH + 4096);
            MemorySegment.copy(good.file.header, 0, copy, 0, HEADER_LENGTH); // a valid header, without the seals
            RingCorruptedException e = assertThrows(RingCorruptedException.class, () -> ManyToOneRing.open(unsealed));
            assertTrue(e.getMessage().contains("F_SEAL_SHRINK"), e.getMessage());

            int odd = Syscalls.memfdCreateSealable("odd-size");
            try (OwnedFd sealedOdd = OwnedFd.adopt(odd)) {
                assertEquals(0, Syscalls.ftruncate(odd, HEADER_LENGTH + 4096 + 8));
                assertEquals(0, Syscalls.addSeals(odd, RingFile.REQUIRED_SEALS));
                e = assertThrows(RingCorruptedException.class, () -> ManyToOneRing.open(sealedOdd));
                assertTrue(e.getMessage().contains("bad ring magic") || e.getMessage().contains("does not fit"), e.getMessage());
            }
            assertThrows(RingCorruptedException.class, () -> OneToOneRing.open(good.sharedMemory()), "the kind is checked too");
        }
    }

    /**
     * Rounds of random and adversarial writes by the peer between this side's calls, with
     * a printed seed ({@code -Dweft.hostile.seed=N} replays one).
     */
    @Test
    void randomWritesIntoEveryWordGiveResultsOrRingCorruptedExceptions() throws Exception {
        long seed = Long.getLong("weft.hostile.seed", System.nanoTime());
        System.out.println("HostileRingPeerTest seed " + seed + " (replay with -Dweft.hostile.seed=" + seed + ")");
        Random rnd = new Random(seed);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 200; round++) {
                int capacity = 1024 << rnd.nextInt(5);
                boolean many = rnd.nextBoolean();
                try (ShmRing ring = many ? ManyToOneRing.create(capacity) : OneToOneRing.create(capacity);
                     ShmRing peer = many ? ManyToOneRing.open(ring.sharedMemory()) : OneToOneRing.open(ring.sharedMemory())) {
                    for (int step = 0; step < 50; step++) {
                        corrupt(rnd, peer);
                        try {
                            operate(rnd, ring);
                            outcomes[0]++;
                        } catch (RingCorruptedException e) {
                            assertNotNull(e.getMessage());
                            outcomes[1]++;
                        }
                    }
                }
            }
        }, "seed " + seed);
        System.out.println("HostileRingPeerTest: " + outcomes[0] + " calls ended normally, " + outcomes[1] + " with RingCorruptedException");
        assertTrue(outcomes[1] > 0, "the attacks were seen at least once");
    }

    private static void corrupt(Random rnd, ShmRing peer) {
        MemorySegment h = peer.file.header;
        int capacity = peer.capacity();
        switch (rnd.nextInt(5)) {
            case 0 -> {
                long[] values = {0, 8, -8, 3, capacity, capacity + 8L, capacity - 8L, 2L * capacity, Long.MAX_VALUE, Long.MIN_VALUE, rnd.nextLong()};
                h.set(ValueLayout.JAVA_LONG, rnd.nextBoolean() ? TAIL_OFFSET : HEAD_OFFSET, values[rnd.nextInt(values.length)]);
            }
            case 1 -> {
                long[] offsets = {MAGIC_OFFSET, VERSION_OFFSET, KIND_OFFSET, CAPACITY_OFFSET, MAX_RECORD_OFFSET, REFS_OFFSET,
                        CONSUMER_BELL_OFFSET, CONSUMER_BELL_OFFSET + 4, PRODUCER_BELL_OFFSET, PRODUCER_BELL_OFFSET + 4};
                h.set(ValueLayout.JAVA_INT, offsets[rnd.nextInt(offsets.length)], rnd.nextInt(3) == 0 ? rnd.nextInt(3) : rnd.nextInt());
            }
            case 2 -> {
                int at = rnd.nextInt(capacity / 8) * 8;
                int[] values = {0, 1, 8, 12, -8, capacity, capacity * 2, -capacity, Integer.MIN_VALUE, Integer.MAX_VALUE, PADDING_TYPE, rnd.nextInt()};
                peer.buffer().set(ValueLayout.JAVA_INT, at + (rnd.nextBoolean() ? TYPE_OFFSET : LENGTH_OFFSET), values[rnd.nextInt(values.length)]);
            }
            case 3 -> {
                // a well-formed record from the peer, if it can still make one
                try {
                    long i = peer.tryClaim(rnd.nextInt(5), rnd.nextInt(64));
                    if (i >= 0) {
                        peer.commit(i);
                    }
                } catch (RingCorruptedException e) {
                    // its own view of the ring is as corrupted as ours
                }
            }
            default -> {
                // nothing this time
            }
        }
    }

    private static void operate(Random rnd, ShmRing ring) throws Exception {
        int capacity = ring.capacity();
        switch (rnd.nextInt(6)) {
            case 0 -> {
                long i = ring.tryClaim(rnd.nextInt(5), rnd.nextInt(ring.maxPayloadLength() + 1));
                if (i >= 0) {
                    assertTrue(i >= RECORD_HEADER_LENGTH && i <= capacity, "claimed index " + i + " inside the ring");
                    ring.commit(i);
                }
            }
            case 1 -> ring.read((type, buf, index, length) -> {
                assertTrue(index >= RECORD_HEADER_LENGTH && length >= 0 && index + length <= capacity, "record [" + index + ", +" + length + ") inside the ring");
                buf.asSlice(index, length).fill((byte) 1);
            }, 1 + rnd.nextInt(64));
            case 2 -> ring.hasRecords();
            case 3 -> ring.claim(1, 8, WaitStrategy.backoff(), Deadline.after(Duration.ofMillis(2)));
            case 4 -> ring.awaitRecords(WaitStrategy.backoff(), Deadline.after(Duration.ofMillis(2)));
            default -> ring.size();
        }
    }
}
