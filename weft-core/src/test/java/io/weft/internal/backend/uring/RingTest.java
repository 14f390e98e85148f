package io.weft.internal.backend.uring;

import io.weft.internal.linux.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring mechanics alone: setup, NOPs through SQ and CQ, a full SQ, an overflowing CQ. */
@Tag("mode-independent") // drives the backend directly, no tasks: runs once
class RingTest {

    static UringProbe.Support support;

    @BeforeAll
    static void probe() {
        support = UringTesting.probeOrSkip();
    }

    private static Ring open(int entries, int cqEntries) throws UringException {
        Ring ring = Ring.open(entries, cqEntries, support.setupFlags());
        ring.enable(); // on this thread, which becomes the single issuer
        return ring;
    }

    private static void nop(Ring ring, long userData) {
        long sqe = ring.nextSqe();
        SqeLayout.prep(ring.sqes(), sqe, UringAbi.OP_NOP, -1, 0, 0, 0, userData);
    }

    @Test
    void setupReportsSizesAndFeatures() throws Exception {
        try (Ring ring = open(8, 32)) {
            assertEquals(8, ring.sqEntries());
            assertEquals(32, ring.cqEntries());
            assertTrue((ring.features() & UringAbi.FEAT_NODROP) != 0);
            assertEquals(8, ring.sqSpace());
            assertEquals(0, ring.cqReady());
        }
    }

    @Test
    void nopsCompleteWithTheirUserData() throws Exception {
        try (Ring ring = open(8, 16)) {
            ring.registerRingFd();
            for (int i = 1; i <= 5; i++) {
                nop(ring, 100 + i);
            }
            assertEquals(5, ring.submitAndWait(5, 5_000_000_000L));
            assertEquals(5, ring.cqReady());
            long sum = 0;
            for (int i = 0; i < 5; i++) {
                sum += ring.cqeUserData(i);
                assertEquals(0, ring.cqeRes(i));
            }
            assertEquals(5 * 100 + 15, sum);
            ring.cqAdvance(5);
            assertEquals(0, ring.cqReady());
            assertEquals(8, ring.sqSpace());
        }
    }

    @Test
    void fullSqIsFlushedNotDropped() throws Exception {
        try (Ring ring = open(4, 64)) {
            int queued = 0;
            for (int i = 0; i < 40; i++) {
                if (ring.sqSpace() == 0) {
                    int r = ring.submit();
                    assertTrue(r > 0, "submit returned " + r);
                }
                nop(ring, i + 1);
                queued++;
            }
            ring.submitAndWait(0, 0);
            assertEquals(queued, ring.cqReady());
            ring.cqAdvance(queued);
        }
    }

    @Test
    void overflowingCqLosesNoCompletion() throws Exception {
        try (Ring ring = open(8, 16)) {
            int total = 200;
            boolean[] seen = new boolean[total + 1];
            for (int i = 1; i <= total; i++) {
                if (ring.sqSpace() == 0) {
                    assertTrue(ring.submit() > 0);
                }
                nop(ring, i);
            }
            int r = ring.submit();
            assertTrue(r >= 0, "submit: " + Errno.name(-r));
            // CQ holds 16; the other 184 wait on the kernel's overflow list.
            int got = 0;
            boolean sawOverflow = false;
            for (int round = 0; got < total && round < 1000; round++) {
                int n = ring.cqReady();
                for (int i = 0; i < n; i++) {
                    int ud = (int) ring.cqeUserData(i);
                    assertTrue(!seen[ud], "duplicate " + ud);
                    seen[ud] = true;
                }
                ring.cqAdvance(n);
                got += n;
                if ((ring.sqFlags() & UringAbi.SQ_CQ_OVERFLOW) != 0) {
                    sawOverflow = true;
                }
                ring.submitAndWait(0, 0); // GETEVENTS flushes the overflow list into the CQ
            }
            assertEquals(total, got);
            assertTrue(sawOverflow, "the CQ should have overflowed");
            assertEquals(0, ring.cqOverflowDropped());
        }
    }
}
