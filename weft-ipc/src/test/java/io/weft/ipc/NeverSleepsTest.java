package io.weft.ipc;

import io.weft.Deadline;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A side's vow never to sleep on a ring: its peer's rings skip the fenced check for a
 * sleeper, and the vowed side's sleeping waits are refused, in every process that maps
 * the ring.
 */
@Tag("mode-independent") // no tasks: runs once
@Timeout(60)
class NeverSleepsTest {

    private static final Deadline SOON = Deadline.after(Duration.ofSeconds(5));

    private static void commitOne(ShmRing ring) throws RingCorruptedException {
        long i = ring.tryClaim(1, 8);
        assertTrue(i >= 0, "room for a record");
        ring.commit(i);
    }

    private static void setState(ShmRing ring, long bellOffset, int state) {
        ring.header.set(ValueLayout.JAVA_INT, bellOffset, state);
    }

    @Test
    void aCommitSkipsTheSleeperCheckOnceTheConsumerVowed() throws Exception {
        try (OneToOneRing ring = OneToOneRing.create(4096)) {
            // Without the vow, a commit that finds the state SLEEPING wakes: word + 1.
            setState(ring, RingLayout.CONSUMER_BELL_OFFSET, Doorbell.SLEEPING_FUTEX);
            commitOne(ring);
            assertEquals(1, Sleepers.word(ring, RingLayout.CONSUMER_BELL_OFFSET), "a commit wakes a consumer that said it sleeps");
            ring.consumerNeverSleeps();
            // A state no honest consumer leaves after its vow: the commit must not even look.
            setState(ring, RingLayout.CONSUMER_BELL_OFFSET, Doorbell.SLEEPING_FUTEX);
            commitOne(ring);
            assertEquals(1, Sleepers.word(ring, RingLayout.CONSUMER_BELL_OFFSET), "after the vow a commit does not look for a sleeper");
            assertEquals(Doorbell.SLEEPING_FUTEX, ring.header.get(ValueLayout.JAVA_INT, RingLayout.CONSUMER_BELL_OFFSET));
            setState(ring, RingLayout.CONSUMER_BELL_OFFSET, Doorbell.AWAKE);
            assertTrue(ring.awaitRecords(WaitStrategy.busySpin(), SOON));
            assertEquals(2, ring.read((type, buf, index, length) -> { }));
        }
    }

    @Test
    void aVowedConsumerCannotSleepInAnyProcessThatMapsTheRing() throws Exception {
        try (OneToOneRing ring = OneToOneRing.create(4096);
             OneToOneRing other = OneToOneRing.open(ring.sharedMemory())) {
            ring.consumerNeverSleeps();
            for (ShmRing r : new ShmRing[] {ring, other}) {
                for (WaitStrategy s : new WaitStrategy[] {WaitStrategy.notifying(), WaitStrategy.of("hybrid:1us")}) {
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.awaitRecords(s, SOON), s.name());
                    assertTrue(e.getMessage().contains("vowed never to sleep"), e.getMessage());
                }
            }
            assertFalse(ring.awaitRecords(WaitStrategy.busySpin(), Deadline.after(Duration.ofMillis(5))), "spinning waits still work");
            commitOne(other);
            assertTrue(other.awaitRecords(WaitStrategy.backoff(), SOON));
        }
    }

    @Test
    void noVowWhileTheSideIsAsleep() throws Exception {
        try (OneToOneRing ring = OneToOneRing.create(4096)) {
            long seq = ring.consumerBell.arm(Doorbell.SLEEPING_FUTEX, () -> false);
            assertNotEquals(Doorbell.READY, seq);
            IllegalStateException e = assertThrows(IllegalStateException.class, ring::consumerNeverSleeps);
            assertTrue(e.getMessage().contains("waiting on its doorbell"), e.getMessage());
            ring.consumerBell.awake(Doorbell.SLEEPING_FUTEX);
            ring.consumerNeverSleeps();
        }
    }

    @Test
    void aVowedProducerIsNotLookedForAndCannotSleep() throws Exception {
        try (OneToOneRing ring = OneToOneRing.create(1024)) {
            for (int k = 0; k < 8; k++) {
                long i = ring.tryClaim(1, 120); // 128-byte slots: eight fill the ring
                assertTrue(i >= 0);
                ring.commit(i);
            }
            ring.producerNeverSleeps();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ring.claim(1, 120, WaitStrategy.notifying(), SOON));
            assertTrue(e.getMessage().contains("vowed never to sleep"), e.getMessage());
            setState(ring, RingLayout.PRODUCER_BELL_OFFSET, Doorbell.SLEEPING_FUTEX);
            assertEquals(1, ring.read((type, buf, index, length) -> { }, 1));
            assertEquals(0, Sleepers.word(ring, RingLayout.PRODUCER_BELL_OFFSET), "freeing space does not look for a vowed producer");
            setState(ring, RingLayout.PRODUCER_BELL_OFFSET, Doorbell.AWAKE);
            assertTrue(ring.claim(1, 120, WaitStrategy.busySpin(), SOON) >= 0);
        }
    }
}
