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
 * Two producers claim by CAS on tail and publish by a release store of the length; the
 * second then reads while the first may still be writing. r1 = records that read saw,
 * r2 = the sum of their payloads, r3 = the records seen in total once both are done.
 * The reader stops at a record claimed but not yet committed, so it may see nothing even
 * though its own record is committed behind it.
 */
@JCStressTest
@Outcome(id = "0, 0, 2", expect = Expect.ACCEPTABLE, desc = "The first producer had claimed the first slot but not committed yet: the read stops there.")
@Outcome(id = "1, 2, 2", expect = Expect.ACCEPTABLE, desc = "The reader's own record came first; the other producer's came after the read.")
@Outcome(id = "2, 3, 2", expect = Expect.ACCEPTABLE, desc = "Both records were committed and read with their payloads.")
@Outcome(id = {"1, 0, 2", "1, 1, 2", "2, 0, 2", "2, 1, 2", "2, 2, 2"}, expect = Expect.FORBIDDEN,
        desc = "A record handed over without its payload, or the reader's own committed record missed while it was first.")
@Outcome(expect = Expect.FORBIDDEN, desc = "Records lost or read twice (total not 2), or a corrupted sum.")
@State
public class ManyToOnePublishStress {

    private final ManyToOneRing ring = ManyToOneRing.anonymous(1024);
    private int seen;

    private void write(long value) {
        long i = Unchecked.tryClaim(ring, 1, 8);
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, value);
        ring.commit(i);
    }

    @Actor
    public void producer(III_Result r) {
        write(1);
    }

    @Actor
    public void producerThenConsumer(III_Result r) {
        write(2);
        long[] sum = {0};
        int n = Unchecked.read(ring, (type, buf, index, length) -> sum[0] += buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index), Integer.MAX_VALUE);
        seen = n;
        r.r1 = n;
        r.r2 = (int) sum[0];
    }

    @Arbiter
    public void drain(III_Result r) {
        int more = 0;
        int n;
        while ((n = Unchecked.read(ring, (type, buf, index, length) -> { }, Integer.MAX_VALUE)) > 0) {
            more += n;
        }
        r.r3 = seen + more;
    }
}
