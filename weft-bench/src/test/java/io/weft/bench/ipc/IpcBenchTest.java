package io.weft.bench.ipc;

import io.weft.bench.JsonReader;
import io.weft.bench.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IPC benchmark, briefly: behaviour only (it runs, the results file is well-formed and names its contenders). */
class IpcBenchTest {

    static IpcOptions options(String... args) {
        return IpcOptions.from(Options.parse(args, IpcOptions.VALUED, IpcOptions.FLAGS), Path.of("unused"));
    }

    private static final List<String> CONTENDERS = List.of("floor", "tcp-loopback", "weft-ring-busy-spin", "weft-rpc-hybrid");

    @Test
    @Timeout(120)
    @SuppressWarnings("unchecked")
    void aShortRunWritesWellFormedResultsForEachContender(@TempDir Path tmp) throws Exception {
        Set<Path> shmBefore = leftovers();
        IpcOptions o = options("--contenders", String.join(",", CONTENDERS), "--seconds", "0.2", "--warmup", "0.2",
                "--runs", "1", "--no-pin", "--out", tmp.toString());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        IpcBench.Report report;
        try (PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            report = IpcBench.run(o, ps);
        }
        String printed = text.toString(StandardCharsets.UTF_8);
        System.out.print(printed);

        Map<String, Object> doc = (Map<String, Object>) JsonReader.parse(Files.readString(report.json()));
        assertEquals(List.of("benchmark", "machine", "params", "results"), List.copyOf(doc.keySet()));
        assertEquals("ipc", doc.get("benchmark"));
        assertEquals(64.0, ((Map<String, Object>) doc.get("params")).get("size"));
        List<Map<String, Object>> results = (List<Map<String, Object>>) doc.get("results");
        assertEquals(CONTENDERS, results.stream().map(r -> r.get("contender")).toList());
        for (Map<String, Object> r : results) {
            for (String k : List.of("ops_per_sec", "p50_us", "p99_us", "p999_us", "cpu_us_per_op", "runs")) {
                assertTrue(r.containsKey(k), r.get("contender") + " has no " + k + ": " + r);
            }
            boolean skipped = (Boolean) r.get("skipped");
            assertEquals(false, r.get("failed"), r.get("contender") + " failed: " + r.get("note"));
            if (skipped) {
                assertNull(r.get("ops_per_sec"));
                assertFalse(((String) r.get("note")).isEmpty(), r.get("contender") + " was skipped without a reason");
            } else {
                assertTrue((Double) r.get("ops_per_sec") > 0, r.get("contender") + " made no round trip");
                assertEquals(1.0, r.get("runs"));
            }
        }
        assertEquals(false, results.get(0).get("skipped"), "the floor runs everywhere");
        assertEquals(false, results.get(1).get("skipped"), "loopback TCP runs everywhere");
        assertEquals(1.0, results.get(0).get("window"), "one word holds one message");
        assertTrue(Files.readString(report.svg()).startsWith("<svg"));
        assertTrue(printed.contains("target, "), printed);
        assertEquals(shmBefore, leftovers(), "each contender's directory is deleted");
    }

    @Test
    void theFloorTargetComparesWithTheFloorsFastestRun() {
        IpcResult floor = IpcResult.measured(IpcContender.FLOOR, "", List.of(run(120), run(580), run(580)));
        IpcResult spin = IpcResult.measured(IpcContender.WEFT_RING_BUSY_SPIN, "", List.of(run(200), run(200), run(210)));
        IpcBench.Target t = IpcBench.targets(List.of(spin, floor)).getFirst();
        assertEquals(Boolean.FALSE, t.met(), t.line());
        assertTrue(t.line().contains("floor's 0.12 µs"), t.line());
    }

    /** A run whose every round trip took {@code nanos}. */
    private static IpcResult.Run run(long nanos) {
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
        h.recordValueWithCount(nanos, 1000);
        return new IpcResult.Run(new RoundTrips.Latency(h, 1000, 1000 * nanos), new RoundTrips.Throughput(1000, 1000 * nanos, 1),
                new io.weft.bench.CpuUse(1, 0, 0, 0, 1), true);
    }

    @Test
    void targetsAreNotApplicableWhenWhatTheyCompareWasNotMeasured() {
        List<IpcBench.Target> t = IpcBench.targets(List.of(IpcResult.skipped(IpcContender.WEFT_RING_NOTIFY, "not here")));
        assertEquals(4, t.size());
        for (IpcBench.Target x : t) {
            assertNull(x.met(), x.line());
            assertTrue(x.line().contains("not measured"), x.line());
        }
    }

    @Test
    void badOptionsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options("--contenders", "floor,zeromq"));
        assertTrue(e.getMessage().contains("zeromq"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> options("--contenders", "floor,floor"));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> options("--size", "4"));
        assertTrue(e.getMessage().contains("--size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> options("--window", "1000"));
        assertTrue(e.getMessage().contains("--window"), e.getMessage());
        IpcOptions d = options();
        assertEquals(64, d.size());
        assertEquals(IpcContender.ids(), d.contenders().stream().map(IpcContender::id).toList());
        assertTrue(d.plannedSeconds() <= 180, "the default run is planned at " + d.plannedSeconds() + " s");
    }

    private static Set<Path> leftovers() throws Exception {
        try (Stream<Path> s = Files.list(IpcBench.filesRoot())) {
            return Set.copyOf(s.filter(p -> p.getFileName().toString().startsWith("weft-ipc-")).toList());
        }
    }
}
