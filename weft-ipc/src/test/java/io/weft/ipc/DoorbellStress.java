package io.weft.ipc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.ValueLayout;

/**
 * The doorbell's Dekker pair. The waiter says it sleeps, then looks at the ring; the
 * producer commits (which rings the bell: fence, look at the waiter's state, wake).
 * r1 = 1 if the waiter found the record, r2 = 1 if the producer found the waiter asleep
 * and woke it. Never both 0: that is a waiter asleep on an empty-looking ring that nobody
 * wakes.
 */
@JCStressTest
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "The producer came first: the waiter finds the record and never sleeps.")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "The waiter came first: it would sleep, and the producer wakes it.")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "They overlapped: the waiter finds the record and is woken as well (one spare turn).")
@Outcome(id = "0, 0", expect = Expect.FORBIDDEN, desc = "Lost wake-up: the waiter missed the record and the producer missed the sleeper.")
@State
public class DoorbellStress {

    private final OneToOneRing ring = OneToOneRing.anonymous(1024);

    @Actor
    public void waiter(II_Result r) {
        ring.consumerBell.prepare(Doorbell.SLEEPING_FUTEX);
        r.r1 = ring.hasRecords() ? 1 : 0;
    }

    @Actor
    public void producer(II_Result r) {
        long i = Unchecked.tryClaim(ring, 1, 8);
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 7L);
        int before = ring.header.get(ValueLayout.JAVA_INT, RingLayout.CONSUMER_BELL_OFFSET + 4);
        ring.commit(i);
        r.r2 = ring.header.get(ValueLayout.JAVA_INT, RingLayout.CONSUMER_BELL_OFFSET + 4) != before ? 1 : 0;
    }
}
