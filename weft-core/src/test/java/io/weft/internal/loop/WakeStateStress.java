package io.weft.internal.loop;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The idle loop's spin/sleep transitions against a producer, on the real {@link WakeState}.
 * The loop goes SPINNING and looks at its inbox once (the spin), then
 * {@link WakeState#trySleep} (ASLEEP, look again); the producer queues, then
 * {@link WakeState#claimWakeup()}. r1 = 1 if the loop found the work (it does not block),
 * r2 = 1 if the producer must write the eventfd. Never both 0: that is a loop blocked in
 * its backend with work queued and no wake-up coming.
 */
@JCStressTest
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "The loop found the work while spinning or in its re-check; no eventfd write.")
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "The loop blocks, and the producer found it ASLEEP and wakes it.")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "Both: the loop's re-check found the work after the producer claimed the wake-up (one spare turn).")
@Outcome(id = "0, 0", expect = Expect.FORBIDDEN, desc = "Lost wake-up: the loop blocks with work queued and the producer wrote nothing.")
@State
public class WakeStateStress implements WakeState.Work {

    private final WakeState wake = new WakeState();
    private volatile boolean queued;

    @Override
    public boolean pending() {
        return queued;
    }

    @Actor
    public void loop(II_Result r) {
        wake.spinning();
        if (queued) {
            wake.awake();
            r.r1 = 1;
            return;
        }
        r.r1 = wake.trySleep(this) ? 0 : 1;
    }

    @Actor
    public void producer(II_Result r) {
        queued = true;
        r.r2 = wake.claimWakeup() ? 1 : 0;
    }
}
