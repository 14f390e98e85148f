package io.weft.cli.soak;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LedgerTest {

    private static Ledger processed(int connection, long... seqs) {
        Ledger l = new Ledger();
        for (long s : seqs) {
            l.record(connection, s);
        }
        return l;
    }

    @Test
    void acknowledgedOnceAndUnacknowledgedWithAnErrorPasses() {
        // #0..#2 acknowledged, #3 processed but its acknowledgement lost, #4 sent and never processed
        Ledger l = processed(7, 0, 1, 2, 3);
        assertEquals(List.of(), l.check(List.of(new Ledger.ClientReport(7, 5, 3, "reset: connection reset"))));
        assertEquals(4, l.processed());
    }

    @Test
    void anAcknowledgedMessageThatWasNeverProcessedIsAViolation() {
        Ledger l = processed(7, 0, 2);
        assertEquals(List.of("connection 7: message #1 was acknowledged but never processed"),
                l.check(List.of(new Ledger.ClientReport(7, 3, 3, "closed: x"))));
    }

    @Test
    void aMessageProcessedTwiceIsAViolation() {
        Ledger l = processed(7, 0, 1, 1);
        assertEquals(List.of("connection 7: message #1 was processed more than once (1 such messages)"),
                l.check(List.of(new Ledger.ClientReport(7, 2, 2, "closed: x"))));
    }

    @Test
    void aMessageProcessedButNeverSentIsAViolation() {
        Ledger l = processed(7, 0, 1, 5);
        assertEquals(List.of("connection 7: message #5 was processed but the client sent only 2"),
                l.check(List.of(new Ledger.ClientReport(7, 2, 2, "closed: x"))));
    }

    @Test
    void unacknowledgedMessagesWithoutAnErrorAreAViolation() {
        Ledger l = processed(7, 0);
        assertEquals(List.of("connection 7: messages #1..3 were not acknowledged and the client saw no error"),
                l.check(List.of(new Ledger.ClientReport(7, 4, 1, null))));
    }

    @Test
    void aConnectionNoClientReportedIsAViolation() {
        Ledger l = processed(8, 0);
        assertEquals(List.of("connection 8: processed messages from a connection no client reported"), l.check(List.of()));
    }

    @Test
    void aSequenceNumberOutsideTheRangeIsRefused() {
        Ledger l = new Ledger();
        assertThrows(IllegalArgumentException.class, () -> l.record(1, -1));
        assertThrows(IllegalArgumentException.class, () -> l.record(1, Ledger.MAX_SEQ + 1));
        assertEquals(0, l.processed());
    }
}
