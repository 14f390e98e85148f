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
 * A record that does not fit before the end of the data region: the producer writes
 * padding to the end and the record at index 0, while the consumer asks
 * {@link ShmRing#hasRecords} and then {@link ShmRing#read reads}. r1 = what hasRecords
 * said; r2 = the record the read handed over (42 if whole, -1 if none, 0 if torn, -2 if
 * the padding came out as a record); r3 = 1 if, with both done, exactly the one record was
 * delivered once and the ring is empty.
 */
@JCStressTest
@Outcome(id = "0, -1, 1", expect = Expect.ACCEPTABLE, desc = "The consumer came before the commit: nothing yet; the record is read afterwards.")
@Outcome(id = "0, 42, 1", expect = Expect.ACCEPTABLE, desc = "The commit landed between hasRecords and read: the read follows the padding to the record.")
@Outcome(id = "1, 42, 1", expect = Expect.ACCEPTABLE, desc = "The consumer came after the commit: it looks past the padding and reads the record.")
@Outcome(id = "1, -1, 1", expect = Expect.FORBIDDEN, desc = "hasRecords said a record was ready, but the read stopped at the padding and handed over nothing.")
@Outcome(expect = Expect.FORBIDDEN, desc = "Anything else: a torn record, padding delivered as a record, or a record lost or read twice.")
@State
public class WrapStress {

    private final OneToOneRing ring = OneToOneRing.anonymous(1024);
    private int delivered;

    public WrapStress() {
        // Move both positions to 16 bytes before the end: seven 128-byte slots and one of 112.
        for (int k = 0; k < 8; k++) {
            long i = Unchecked.tryClaim(ring, 1, k < 7 ? 120 : 104);
            ring.commit(i);
        }
        while (Unchecked.read(ring, (type, buf, index, length) -> { }, Integer.MAX_VALUE) > 0) {
            // up to the end of the data region
        }
    }

    @Actor
    public void producer() {
        long i = Unchecked.tryClaim(ring, 2, 16); // 24 bytes: padding the last 16, the record at 0
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 42L);
        ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i + 8, 43L);
        ring.commit(i);
    }

    @Actor
    public void consumer(III_Result r) {
        r.r1 = ring.hasRecords() ? 1 : 0;
        int[] got = {-1};
        delivered += Unchecked.read(ring, (type, buf, index, length) -> got[0] = value(type, buf, index, length), Integer.MAX_VALUE);
        r.r2 = got[0];
    }

    @Arbiter
    public void rest(III_Result r) {
        int[] got = {42};
        int n;
        while ((n = Unchecked.read(ring, (type, buf, index, length) -> got[0] = value(type, buf, index, length), Integer.MAX_VALUE)) > 0) {
            delivered += n;
        }
        r.r3 = delivered == 1 && got[0] == 42 && ring.size() == 0 && !ring.hasRecords() ? 1 : 0;
    }

    private static int value(int type, java.lang.foreign.MemorySegment buf, long index, int length) {
        if (type != 2) {
            return -2;
        }
        boolean whole = length == 16 && buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index) == 42L
                && buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index + 8) == 43L;
        return whole ? 42 : 0;
    }
}
