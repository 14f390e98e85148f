package io.weft.ipc;

import io.weft.Deadline;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An aborted claim turns into padding, wherever it sits: a consumer that asks whether a
 * record is ready (and so one that waits for records) must look past it.
 */
@Tag("mode-independent") // no tasks: runs once
@Timeout(60)
class RingAbortTest {

    @Test
    void aRecordCommittedAfterAnAbortedOneIsReadyAtTheStartOfTheRegion() throws IOException {
        abortThenCommit(0);
    }

    @Test
    void aRecordCommittedAfterAnAbortedOneIsReadyInTheMiddleOfTheRegion() throws IOException {
        abortThenCommit(3);
    }

    @Test
    void aRecordCommittedAfterAnAbortedOneIsReadyAcrossTheWrap() throws IOException {
        abortThenCommit(7); // the aborted slot ends 16 bytes before the end; the next record does not fit there
    }

    @Test
    void onlyAbortedClaimsAreNoRecord() throws IOException {
        try (OneToOneRing ring = OneToOneRing.anonymous(1024)) {
            for (int k = 0; k < 3; k++) {
                ring.abort(ring.tryClaim(1, 8));
            }
            assertFalse(ring.hasRecords(), "three aborted claims and nothing committed");
            assertEquals(0, ring.read((type, buf, index, length) -> fail("padding handed over as a record")));
            assertEquals(0, ring.size());
        }
    }

    /** Consumes {@code slotsBefore} 128-byte records first, then aborts one claim and commits the next. */
    private static void abortThenCommit(int slotsBefore) throws IOException {
        try (OneToOneRing ring = OneToOneRing.anonymous(1024)) {
            for (int k = 0; k < slotsBefore; k++) {
                ring.commit(ring.tryClaim(1, 120));
            }
            ring.read((type, buf, index, length) -> { });
            long aborted = ring.tryClaim(1, slotsBefore == 7 ? 104 : 8);
            long committed = ring.tryClaim(2, 16); // 24 bytes: in the wrap case, filler padding then index 0
            ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, committed, 22L);
            ring.abort(aborted);
            assertFalse(ring.hasRecords(), "the record after the aborted slot is only claimed");
            ring.commit(committed);
            assertTrue(ring.hasRecords(), "a committed record waits behind the aborted slot");
            assertTrue(ring.awaitRecords(WaitStrategy.busySpin(), Deadline.after(Duration.ofSeconds(5))));
            List<Long> got = new ArrayList<>();
            while (ring.read((type, buf, index, length) -> got.add(type * 100L + buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index))) > 0) {
                // up to the end of the region, then from its start
            }
            assertEquals(List.of(222L), got, "only the committed record, once");
            assertFalse(ring.hasRecords());
        }
    }
}
