package io.weft.ipc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import java.lang.foreign.ValueLayout;

/**
 * A record's payload is visible to the consumer whenever its length is: the producer's
 * release store of the length (commit) pairs with the consumer's acquire load (read).
 */
@JCStressTest
@Outcome(id = "0, -1", expect = Expect.ACCEPTABLE, desc = "The consumer looked before the commit: no record yet.")
@Outcome(id = "1, 42", expect = Expect.ACCEPTABLE, desc = "The consumer saw the committed record and its whole payload.")
@Outcome(id = "1, 0", expect = Expect.FORBIDDEN, desc = "A record was handed over before its payload was visible: commit is not a release, or read not an acquire.")
@Outcome(expect = Expect.FORBIDDEN, desc = "Any other count or payload: records lost, duplicated or torn.")
@State
public class OneToOnePublishStress {

    private final OneToOneRing ring = OneToOneRing.anonymous(1024);

    @Actor
    public void producer() {
        long i = Unchecked.tryClaim(ring, 1, 8);
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 42L);
        ring.commit(i);
    }

    @Actor
    public void consumer(JJ_Result r) {
        long[] payload = {-1};
        r.r1 = Unchecked.read(ring, (type, buf, index, length) -> payload[0] = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index), Integer.MAX_VALUE);
        r.r2 = payload[0];
    }
}
