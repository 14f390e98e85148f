package io.weft.ipc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.foreign.ValueLayout;

/**
 * A producer claims two records, gives up the first ({@link ShmRing#abort}) and commits the
 * second, while the consumer asks {@link ShmRing#hasRecords} and then reads. The aborted
 * slot turns into padding, which readers skip. r1 = what hasRecords said; r2 = what the
 * read handed over (22 for the committed record, -1 for nothing, 11 if the aborted one
 * came out); r3 = 1 if, with both done, hasRecords agrees with what is left, and in all
 * exactly the committed record was delivered, once.
 */
@JCStressTest
@Outcome(id = "0, -1, 1", expect = Expect.ACCEPTABLE, desc = "The consumer came before the commit (or stopped at the slot still claimed): the record is read afterwards.")
@Outcome(id = "0, 22, 1", expect = Expect.ACCEPTABLE, desc = "The commit landed between hasRecords and read: the read skips the aborted slot and takes the record.")
@Outcome(id = "1, 22, 1", expect = Expect.ACCEPTABLE, desc = "The consumer came after the commit: it skips the aborted slot and takes the record.")
@Outcome(id = "1, -1, 1", expect = Expect.FORBIDDEN, desc = "hasRecords said a record was ready, but the read handed over nothing.")
@Outcome(id = "0, -1, 0", expect = Expect.FORBIDDEN, desc = "hasRecords stays false behind the aborted slot while a committed record waits: a consumer that waits for records waits forever.")
@Outcome(expect = Expect.FORBIDDEN, desc = "Anything else: the aborted record delivered, or the committed one lost or read twice.")
@State
public class AbortStress {

    private final ManyToOneRing ring = ManyToOneRing.anonymous(1024);
    private int delivered;

    @Actor
    public void producer() {
        long a = Unchecked.tryClaim(ring, 1, 8);
        long b = Unchecked.tryClaim(ring, 2, 8);
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, a, 11L);
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, b, 22L);
        ring.abort(a);
        ring.commit(b);
    }

    @Actor
    public void consumer(III_Result r) {
        r.r1 = ring.hasRecords() ? 1 : 0;
        long[] got = {-1};
        delivered += Unchecked.read(ring, (type, buf, index, length) -> got[0] = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index), Integer.MAX_VALUE);
        r.r2 = (int) got[0];
    }

    @Arbiter
    public void rest(III_Result r) {
        boolean said = ring.hasRecords();
        long[] got = {22};
        int n = Unchecked.read(ring, (type, buf, index, length) -> got[0] = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index), Integer.MAX_VALUE);
        delivered += n;
        r.r3 = said == (n > 0) && delivered == 1 && got[0] == 22 && ring.size() == 0 ? 1 : 0;
    }
}
