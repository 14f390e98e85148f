package io.weft.bench.echo;

import io.weft.bench.CpuUse;
import io.weft.bench.ProcStat;

import java.io.IOException;

/**
 * Samples CPU time around one measured window: the server process's user and system time
 * ({@code /proc/PID/stat}), the load generator's own ({@code /proc/self/stat}: this JVM,
 * every thread), and when pinned, the server core's busy time ({@code /proc/stat}) to see
 * how much of that core other processes took. The echo and IPC harnesses use it.
 */
public final class CpuWindow implements LoadGenerator.Window {

    private final long serverPid;
    private final Integer serverCpu;
    private final boolean proc = ProcStat.available();
    private long t0;
    private long t1;
    private ProcStat.CpuTimes server0;
    private ProcStat.CpuTimes server1;
    private ProcStat.CpuTimes self0;
    private ProcStat.CpuTimes self1;
    private ProcStat.CoreTimes core0;
    private ProcStat.CoreTimes core1;

    /** For the server process {@code serverPid}, pinned to {@code serverCpu} (null if not pinned). */
    public CpuWindow(long serverPid, Integer serverCpu) {
        this.serverPid = serverPid;
        this.serverCpu = serverCpu;
    }

    @Override
    public void begin() throws IOException {
        if (proc) {
            server0 = ProcStat.process(serverPid);
            self0 = ProcStat.self();
            core0 = serverCpu == null ? null : ProcStat.core(serverCpu);
        }
        t0 = System.nanoTime();
    }

    @Override
    public void end() throws IOException {
        t1 = System.nanoTime();
        if (proc) {
            server1 = ProcStat.process(serverPid);
            self1 = ProcStat.self();
            core1 = serverCpu == null ? null : ProcStat.core(serverCpu);
        }
    }

    public CpuUse result() {
        double secs = (t1 - t0) / 1e9;
        if (!proc) {
            return new CpuUse(secs, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double tick = ProcStat.ticksPerSecond();
        ProcStat.CpuTimes s = server1.minus(server0);
        ProcStat.CpuTimes l = self1.minus(self0);
        double core = core0 == null ? Double.NaN : core1.minus(core0).busyTicks() / tick;
        return new CpuUse(secs, s.userTicks() / tick, s.systemTicks() / tick, l.totalTicks() / tick, core);
    }
}
