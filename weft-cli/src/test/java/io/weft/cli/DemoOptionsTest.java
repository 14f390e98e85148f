package io.weft.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoOptionsTest {

    @Test
    void defaultsWhenNothingIsGiven() throws UsageException {
        DemoOptions o = DemoOptions.parse(new String[0]);
        assertEquals(new DemoOptions(10, 64, 64, null), o);
    }

    @Test
    void readsEveryOptionInBothForms() throws UsageException {
        DemoOptions o = DemoOptions.parse(new String[] {"--seconds", "3", "--connections=5", "--size", "65_536", "--backend=nio"});
        assertEquals(new DemoOptions(3, 5, 65_536, "nio"), o);
    }

    @Test
    void acceptsEveryBackendName() throws UsageException {
        for (String b : DemoOptions.BACKENDS) {
            assertEquals(b, DemoOptions.parse(new String[] {"--backend", b}).backend());
        }
    }

    @Test
    void rejectsWhatItDoesNotKnow() {
        assertMessage("unknown option '--bogus'", "--bogus", "1");
        assertMessage("unexpected argument 'stray'", "stray");
        assertMessage("unexpected argument '-s'", "-s", "3");
        assertMessage("takes one of auto, io_uring, epoll, nio, not 'uring'", "--backend", "uring");
    }

    @Test
    void rejectsMalformedValues() {
        assertMessage("option '--seconds' needs a value", "--seconds");
        assertMessage("option '--seconds' takes a whole number, not 'ten'", "--seconds", "ten");
        assertMessage("option '--size' takes a whole number, not '1.5'", "--size", "1.5");
        assertMessage("option '--connections' given twice", "--connections", "1", "--connections", "2");
    }

    @Test
    void rejectsValuesOutOfRange() {
        assertMessage("option '--seconds' must be between 1 and 86400, not 0", "--seconds", "0");
        assertMessage("option '--connections' must be between 1 and 100000, not -3", "--connections=-3");
        assertMessage("option '--size' must be between 1 and 16777216, not 16777217", "--size", "16777217");
        assertMessage("not 99999999999", "--size", "99999999999");
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> DemoOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
