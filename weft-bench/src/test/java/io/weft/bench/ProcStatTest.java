package io.weft.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcStatTest {

    /** A real line from a JVM (fields 1-25), utime 1520 and stime 233. */
    private static final String JAVA_LINE = "48213 (java) S 48190 48213 48190 0 -1 4194560 52338 0 12 0 1520 233 0 0 20 0 "
            + "27 0 1234567 5031415808 60123 18446744073709551615 1 1 0 0 0 0 0 4096 17663";

    @Test
    void readsUserAndSystemTicks() {
        ProcStat.CpuTimes t = ProcStat.parseProcessStat(JAVA_LINE);
        assertEquals(1520, t.userTicks());
        assertEquals(233, t.systemTicks());
        assertEquals(1753, t.totalTicks());
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String line = JAVA_LINE.replace("(java)", "(we ft) (x) y)");
        ProcStat.CpuTimes t = ProcStat.parseProcessStat(line);
        assertEquals(1520, t.userTicks());
        assertEquals(233, t.systemTicks());
    }

    @Test
    void differencesGiveTheTimeInAWindow() {
        ProcStat.CpuTimes before = new ProcStat.CpuTimes(100, 40);
        ProcStat.CpuTimes after = new ProcStat.CpuTimes(350, 90);
        assertEquals(new ProcStat.CpuTimes(250, 50), after.minus(before));
    }

    @Test
    void readsTheReapedChildrensTicks() {
        String line = JAVA_LINE.replace(" 1520 233 0 0 ", " 1520 233 41 7 ");
        ProcStat.CpuTimes kids = ProcStat.parseChildrenStat(line);
        assertEquals(41, kids.userTicks());
        assertEquals(7, kids.systemTicks());
        assertEquals(1520, ProcStat.parseProcessStat(line).userTicks(), "the process's own ticks are not the children's");
    }

    @Test
    void malformedLinesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parseProcessStat("not a stat line"));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parseProcessStat("1 (java) S 1 2 3"));
        assertThrows(IllegalArgumentException.class,
                () -> ProcStat.parseProcessStat(JAVA_LINE.replace(" 1520 ", " x ")));
    }

    @Test
    void readsACoresBusyAndIdleTime() {
        List<String> stat = List.of(
                "cpu  900 10 300 5000 20 0 5 0 0 0",
                "cpu0 500 4 200 2000 10 0 3 1 0 0",
                "cpu1 400 6 100 3000 10 0 2 0 0 0",
                "intr 123",
                "ctxt 456");
        ProcStat.CoreTimes c0 = ProcStat.parseCoreStat(stat, 0);
        assertEquals(500 + 4 + 200 + 0 + 3 + 1, c0.busyTicks());
        assertEquals(2000 + 10, c0.idleTicks());
        assertEquals(2, ProcStat.onlineCpus(stat));
        assertThrows(IllegalArgumentException.class, () -> ProcStat.parseCoreStat(stat, 7));
    }

    @Test
    void thisProcessHasSpentSomeCpu() throws Exception {
        assumeTrue(ProcStat.available(), "no /proc on this system");
        assertTrue(ProcStat.ticksPerSecond() > 0);
        ProcStat.CpuTimes before = ProcStat.self();
        assertTrue(before.totalTicks() > 0, "a running JVM has used CPU: " + before);
        // Burn CPU until the counter moves; on a busy machine that takes longer, not forever.
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long sink = 0;
        ProcStat.CpuTimes after = before;
        while (after.totalTicks() <= before.totalTicks() && System.nanoTime() - limit < 0) {
            for (int i = 0; i < 10_000_000; i++) {
                sink += i ^ (sink >>> 3);
            }
            after = ProcStat.self();
        }
        assertTrue(after.totalTicks() > before.totalTicks(), "burning CPU moved the counter: " + before + " then " + after + " " + sink);
    }
}
