package io.weft.ipc;

import io.weft.net.OwnedFd;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.foreign.ValueLayout;

/**
 * The doorbell's Dekker pair, through the code every waiter runs ({@link Doorbell#arm}, as
 * {@link WaitStrategy} on a thread and {@link TaskDoorbellWait} in a task call it, with the
 * readiness tests {@link ShmRing#awaitRecords} and {@link ShmRing#claim} use) against the
 * ringing in {@link ShmRing#commit} and {@link ShmRing#read}. The waiter's sleep itself
 * is not taken: what it would find is read afterwards.
 *
 * <p>In each test r1 = 1 if the waiter found the ring ready (and would not sleep), r2 = 1
 * if the other side's ring found the waiter asleep and woke it, r3 = whether a sleep on
 * what the waiter armed would end at once (1) or block (0), -1 if it did not sleep.
 */
public class DoorbellStress {

    private DoorbellStress() {
    }

    /** Commits one record and says whether the commit rang a sleeper (the futex word moved). */
    static int commitOne(ShmRing ring) {
        int before = Sleepers.word(ring, RingLayout.CONSUMER_BELL_OFFSET);
        long i = Unchecked.tryClaim(ring, 1, 8);
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 7L);
        ring.commit(i);
        return Sleepers.word(ring, RingLayout.CONSUMER_BELL_OFFSET) != before ? 1 : 0;
    }

    /** A consumer waits for records on the futex word; the producer commits one. */
    @JCStressTest
    @Outcome(id = "1, 0, -1", expect = Expect.ACCEPTABLE, desc = "The producer came first: the waiter finds the record and never sleeps.")
    @Outcome(id = "0, 1, 1", expect = Expect.ACCEPTABLE, desc = "The waiter came first: it sleeps, and the producer's wake ends the sleep.")
    @Outcome(id = "1, 1, -1", expect = Expect.ACCEPTABLE, desc = "They overlapped: the waiter finds the record and is woken as well (one spare turn).")
    @Outcome(id = "0, 0, 0", expect = Expect.FORBIDDEN, desc = "Lost wake-up: the waiter missed the record and sleeps, and the producer missed the sleeper.")
    @Outcome(id = "0, 1, 0", expect = Expect.FORBIDDEN, desc = "Woken too early: the producer rang before the waiter read the futex word, so the sleep blocks.")
    @Outcome(expect = Expect.FORBIDDEN, desc = "Anything else: a sleep that ends with no ring, or a result the protocol cannot give.")
    @State
    public static class Records {
        private final OneToOneRing ring = OneToOneRing.anonymous(1024);
        private long armed;

        @Actor
        public void waiter(III_Result r) {
            armed = ring.consumerBell.arm(Doorbell.SLEEPING_FUTEX, ring::hasRecords);
            r.r1 = armed == Doorbell.READY ? 1 : 0;
        }

        @Actor
        public void producer(III_Result r) {
            r.r2 = commitOne(ring);
        }

        @Arbiter
        public void sleep(III_Result r) {
            r.r3 = armed == Doorbell.READY ? -1 : Sleepers.futexSleepEnds(ring, RingLayout.CONSUMER_BELL_OFFSET, armed);
        }
    }

    /** As {@link Records}, with the consumer asleep on its eventfd (epoll, or io_uring without futex waits). */
    @JCStressTest
    @Outcome(id = "1, 0, -1", expect = Expect.ACCEPTABLE, desc = "The producer came first: the waiter finds the record and never sleeps.")
    @Outcome(id = "0, 1, 1", expect = Expect.ACCEPTABLE, desc = "The waiter came first: it sleeps, and the producer writes its eventfd.")
    @Outcome(id = "1, 1, -1", expect = Expect.ACCEPTABLE, desc = "They overlapped: the waiter finds the record and is woken as well (a stale count, one spare turn).")
    @Outcome(id = "0, 0, 0", expect = Expect.FORBIDDEN, desc = "Lost wake-up: the waiter missed the record and sleeps, and the producer missed the sleeper.")
    @Outcome(id = "0, 1, 0", expect = Expect.FORBIDDEN, desc = "The producer found the sleeper but did not write its eventfd: the sleep blocks.")
    @Outcome(expect = Expect.FORBIDDEN, desc = "Anything else: an eventfd count with no ring, or a result the protocol cannot give.")
    @State
    public static class RecordsOnEventFd {
        private final OneToOneRing ring = OneToOneRing.anonymous(1024);
        private final OwnedFd bell = Sleepers.eventFd();
        private long armed;

        public RecordsOnEventFd() {
            ring.useEventFds(bell, null);
        }

        @Actor
        public void waiter(III_Result r) {
            armed = ring.consumerBell.arm(Doorbell.SLEEPING_EVENTFD, ring::hasRecords);
            r.r1 = armed == Doorbell.READY ? 1 : 0;
        }

        @Actor
        public void producer(III_Result r) {
            r.r2 = commitOne(ring);
        }

        @Arbiter
        public void sleep(III_Result r) {
            int signalled = Sleepers.eventFdSleepEnds(bell);
            Sleepers.close(bell); // one eventfd per state: give it back now
            r.r3 = armed == Doorbell.READY ? (r.r2 == signalled ? -1 : -2) : signalled;
        }
    }

    /**
     * A producer waits for space in a full ring (the "space" doorbell); the consumer reads a
     * record, which frees its slot and rings.
     */
    @JCStressTest
    @Outcome(id = "1, 0, -1", expect = Expect.ACCEPTABLE, desc = "The consumer came first: the producer finds the space and never sleeps.")
    @Outcome(id = "0, 1, 1", expect = Expect.ACCEPTABLE, desc = "The producer came first: it sleeps, and the consumer's wake ends the sleep.")
    @Outcome(id = "1, 1, -1", expect = Expect.ACCEPTABLE, desc = "They overlapped: the producer finds the space and is woken as well (one spare turn).")
    @Outcome(id = "0, 0, 0", expect = Expect.FORBIDDEN, desc = "Lost wake-up: the producer missed the freed space and sleeps, and the consumer missed the sleeper.")
    @Outcome(id = "0, 1, 0", expect = Expect.FORBIDDEN, desc = "Woken too early: the consumer rang before the producer read the futex word, so the sleep blocks.")
    @Outcome(expect = Expect.FORBIDDEN, desc = "Anything else: a sleep that ends with no ring, or a result the protocol cannot give.")
    @State
    public static class Space {
        private static final int PAYLOAD = 120; // 128-byte slots: eight fill a 1024-byte ring
        private final OneToOneRing ring = OneToOneRing.anonymous(1024);
        private long armed;

        public Space() {
            for (int k = 0; k < 8; k++) {
                long i = Unchecked.tryClaim(ring, 1, PAYLOAD);
                ring.commit(i);
            }
        }

        @Actor
        public void producer(III_Result r) {
            armed = ring.producerBell.arm(Doorbell.SLEEPING_FUTEX, ring.spaceFor(PAYLOAD));
            r.r1 = armed == Doorbell.READY ? 1 : 0;
        }

        @Actor
        public void consumer(III_Result r) {
            int before = Sleepers.word(ring, RingLayout.PRODUCER_BELL_OFFSET);
            Unchecked.read(ring, (type, buf, index, length) -> { }, 1);
            r.r2 = Sleepers.word(ring, RingLayout.PRODUCER_BELL_OFFSET) != before ? 1 : 0;
        }

        @Arbiter
        public void sleep(III_Result r) {
            r.r3 = armed == Doorbell.READY ? -1 : Sleepers.futexSleepEnds(ring, RingLayout.PRODUCER_BELL_OFFSET, armed);
        }
    }

    /**
     * A consumer that vowed never to sleep ({@link ShmRing#consumerNeverSleeps}) tries to
     * sleep anyway while the producer commits: the arm is refused, and the commit, which
     * skips the fenced check for a sleeper, never rings. r1 = 1 if the arm was refused,
     * r2 = 1 if the commit rang, r3 = 1 if the record is there afterwards.
     */
    @JCStressTest
    @Outcome(id = "1, 0, 1", expect = Expect.ACCEPTABLE, desc = "The vowed consumer could not arm, the commit did not look for it, the record arrived.")
    @Outcome(expect = Expect.FORBIDDEN, desc = "A vowed consumer armed its bell, a commit rang it, or the record was lost.")
    @State
    public static class VowedRecords {
        private final OneToOneRing ring = OneToOneRing.anonymous(1024);

        public VowedRecords() {
            ring.consumerNeverSleeps();
        }

        @Actor
        public void waiter(III_Result r) {
            try {
                ring.consumerBell.arm(Doorbell.SLEEPING_FUTEX, ring::hasRecords);
                r.r1 = 0;
            } catch (IllegalStateException e) {
                r.r1 = 1;
            }
        }

        @Actor
        public void producer(III_Result r) {
            r.r2 = commitOne(ring);
        }

        @Arbiter
        public void after(III_Result r) {
            r.r3 = ring.hasRecords() && ring.header.get(ValueLayout.JAVA_INT, RingLayout.CONSUMER_BELL_OFFSET) == Doorbell.AWAKE ? 1 : 0;
        }
    }
}
