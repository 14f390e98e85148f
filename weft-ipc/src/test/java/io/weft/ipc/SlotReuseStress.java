package io.weft.ipc;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.ValueLayout;

/**
 * A full ring: the consumer frees the first slot (reads it, zeroes it, releases head)
 * while the producer tries to claim and fill that slot. The producer's acquire of head
 * must order the consumer's zeroing before the producer's writes, or the zeroing could
 * wipe the new record. r1 = 1 if the claim succeeded; r2 = 1 if every record read
 * afterwards is intact.
 */
@JCStressTest
@Outcome(id = "0, 1", expect = Expect.ACCEPTABLE, desc = "The producer looked before the slot was freed: ring still full.")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "The producer reused the freed slot and its record arrived intact.")
@Outcome(id = "1, 0", expect = Expect.FORBIDDEN, desc = "The consumer's zeroing of the old slot overwrote the new record: head is not release/acquire.")
@Outcome(id = "0, 0", expect = Expect.FORBIDDEN, desc = "Records were corrupted without any reuse.")
@State
public class SlotReuseStress {

    private static final int PAYLOAD = 120; // 128-byte slots: eight fill a 1024-byte ring
    private final OneToOneRing ring = OneToOneRing.anonymous(1024);
    private long claimed;

    public SlotReuseStress() {
        for (int k = 0; k < 8; k++) {
            long i = Unchecked.tryClaim(ring, 1, PAYLOAD);
            ring.buffer().asSlice(i, PAYLOAD).fill((byte) k);
            ring.commit(i);
        }
    }

    @Actor
    public void consumer() {
        Unchecked.read(ring, (type, buf, index, length) -> { }, 1);
    }

    @Actor
    public void producer() {
        long i = Unchecked.tryClaim(ring, 2, PAYLOAD);
        if (i >= 0) {
            ring.buffer().asSlice(i, PAYLOAD).fill((byte) 99);
            ring.commit(i);
        }
        claimed = i;
    }

    @Arbiter
    public void check(II_Result r) {
        r.r1 = claimed >= 0 ? 1 : 0;
        int[] next = {1}; // the consumer actor took record 0
        int[] count = {0};
        boolean[] ok = {true};
        RecordHandler h = (type, buf, index, length) -> {
            byte want = type == 2 ? 99 : (byte) next[0]++;
            count[0]++;
            for (int b = 0; b < length; b++) {
                if (buf.get(ValueLayout.JAVA_BYTE, index + b) != want) {
                    ok[0] = false;
                    return;
                }
            }
        };
        while (Unchecked.read(ring, h, Integer.MAX_VALUE) > 0) {
            // up to the end of the data region, then from its start
        }
        r.r2 = ok[0] && count[0] == 7 + r.r1 ? 1 : 0;
    }
}
