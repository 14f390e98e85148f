package io.weft.bench.echo;

import io.weft.bench.CpuUse;
import io.weft.bench.Json;
import io.weft.bench.Stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One contender's outcome: measured (medians over the runs, and the fixed-rate phase),
 * skipped (cannot run here, with the reason) or failed (with what went wrong).
 */
final class EchoResult {

    /** A saturation figure counts only when the server's core was at least this busy. */
    static final double SATURATED_PCT = CpuUse.SATURATED_PCT;
    /** The fixed-rate phase achieved its rate when at least this share of it completed. */
    static final double RATE_ACHIEVED_SHARE = 0.95;

    enum Status { MEASURED, SKIPPED, FAILED }

    /** One measured window: the load generator's counts and the CPU time around it. */
    record Run(LoadGenerator.PhaseStats stats, CpuUse cpu) {
        double opsPerSec() {
            return stats.opsPerSec();
        }

        double cpuUsPerOp() {
            return CpuUse.microsPerOp(cpu.server(), stats.ops());
        }

        double cpuUserUsPerOp() {
            return CpuUse.microsPerOp(cpu.serverUser(), stats.ops());
        }

        double cpuSysUsPerOp() {
            return CpuUse.microsPerOp(cpu.serverSystem(), stats.ops());
        }

        double serverBusyPct() {
            return cpu.serverBusyPct();
        }

        double loadgenBusyPct() {
            return cpu.loadgenBusyPct();
        }

        double serverCoreOtherPct() {
            return cpu.serverCoreOtherPct();
        }
    }

    final Contender contender;
    final Status status;
    final String serverInfo;
    final List<Run> runs;
    final Run rateRun;
    final double rate;
    final long mismatches;
    final long errors;
    final List<String> errorSamples;
    final String reason;

    private EchoResult(Contender contender, Status status, String serverInfo, List<Run> runs, Run rateRun, double rate,
                       long mismatches, long errors, List<String> errorSamples, String reason) {
        this.contender = contender;
        this.status = status;
        this.serverInfo = serverInfo;
        this.runs = List.copyOf(runs);
        this.rateRun = rateRun;
        this.rate = rate;
        this.mismatches = mismatches;
        this.errors = errors;
        this.errorSamples = List.copyOf(errorSamples);
        this.reason = reason;
    }

    static EchoResult measured(Contender c, String serverInfo, List<Run> runs, Run rateRun, double rate,
                               long mismatches, long errors, List<String> errorSamples) {
        return new EchoResult(c, Status.MEASURED, serverInfo, runs, rateRun, rate, mismatches, errors, errorSamples, null);
    }

    static EchoResult skipped(Contender c, String reason) {
        return new EchoResult(c, Status.SKIPPED, null, List.of(), null, 0, 0, 0, List.of(), reason);
    }

    static EchoResult failed(Contender c, String reason, long mismatches, long errors, List<String> errorSamples) {
        return new EchoResult(c, Status.FAILED, null, List.of(), null, 0, mismatches, errors, errorSamples, reason);
    }

    double median(ToDoubleFunction<Run> f) {
        return Stats.median(runs.stream().mapToDouble(f).toArray());
    }

    boolean valid() {
        return status == Status.MEASURED && mismatches == 0 && errors == 0;
    }

    /** Server core ≥ 90 % busy (median over runs): the throughput is the server's limit. */
    boolean saturated() {
        return status == Status.MEASURED && median(Run::serverBusyPct) >= SATURATED_PCT;
    }

    boolean rateAchieved() {
        return rateRun != null && rateRun.opsPerSec() >= RATE_ACHIEVED_SHARE * rate;
    }

    /** What a reader must know beside the figures; empty when there is nothing to say. */
    String note() {
        List<String> notes = new ArrayList<>();
        switch (status) {
            case SKIPPED -> notes.add("skipped: " + reason);
            case FAILED -> notes.add("failed: " + reason);
            case MEASURED -> {
                if (!valid()) {
                    notes.add("INVALID: " + mismatches + " mismatched message(s), " + errors + " connection error(s)"
                            + (errorSamples.isEmpty() ? "" : " (" + errorSamples.getFirst() + ")"));
                }
                double server = median(Run::serverBusyPct);
                double loadgen = median(Run::loadgenBusyPct);
                if (Double.isNaN(server)) {
                    notes.add("no /proc: CPU not measured");
                } else if (!saturated()) {
                    notes.add(CpuUse.unsaturatedNote(server, loadgen, median(Run::serverCoreOtherPct), "load generator",
                            "raise --connections or --pipeline"));
                }
                if (rateRun != null && !rateAchieved()) {
                    notes.add(String.format(java.util.Locale.ROOT, "fixed rate not achieved (%.0f of %.0f msg/s)",
                            rateRun.opsPerSec(), rate));
                }
            }
        }
        return String.join("; ", notes);
    }

    /** The result object in echo.json: the required members first, then the details. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean has = status == Status.MEASURED;
        m.put("contender", contender.id());
        m.put("ops_per_sec", has ? Json.round(median(Run::opsPerSec), 1) : null);
        m.put("p50_us", has ? Json.round(median(r -> r.stats().percentileMicros(50)), 1) : null);
        m.put("p99_us", has ? Json.round(median(r -> r.stats().percentileMicros(99)), 1) : null);
        m.put("p999_us", has ? Json.round(median(r -> r.stats().percentileMicros(99.9)), 1) : null);
        m.put("cpu_us_per_op", has ? Json.round(median(Run::cpuUsPerOp), 3) : null);
        m.put("runs", runs.size());
        m.put("cpu_user_us_per_op", has ? Json.round(median(Run::cpuUserUsPerOp), 3) : null);
        m.put("cpu_sys_us_per_op", has ? Json.round(median(Run::cpuSysUsPerOp), 3) : null);
        m.put("server_busy_pct", has ? Json.round(median(Run::serverBusyPct), 1) : null);
        m.put("loadgen_busy_pct", has ? Json.round(median(Run::loadgenBusyPct), 1) : null);
        m.put("server_core_other_pct", has ? Json.round(median(Run::serverCoreOtherPct), 1) : null);
        m.put("saturated", has ? saturated() : null);
        m.put("valid", status == Status.SKIPPED ? null : valid());
        m.put("mismatches", mismatches);
        m.put("errors", errors);
        m.put("run_ops_per_sec", runs.stream().map(r -> (Object) Json.round(r.opsPerSec(), 1)).toList());
        if (rateRun != null) {
            m.put("rate_msgs_per_sec", rate);
            m.put("rate_achieved_per_sec", Json.round(rateRun.opsPerSec(), 1));
            m.put("rate_achieved", rateAchieved());
            m.put("rate_cpu_us_per_op", Json.round(rateRun.cpuUsPerOp(), 3));
            m.put("rate_cpu_user_us_per_op", Json.round(rateRun.cpuUserUsPerOp(), 3));
            m.put("rate_cpu_sys_us_per_op", Json.round(rateRun.cpuSysUsPerOp(), 3));
            m.put("rate_server_busy_pct", Json.round(rateRun.serverBusyPct(), 1));
            m.put("rate_p50_us", Json.round(rateRun.stats().percentileMicros(50), 1));
            m.put("rate_p99_us", Json.round(rateRun.stats().percentileMicros(99), 1));
            m.put("rate_p999_us", Json.round(rateRun.stats().percentileMicros(99.9), 1));
        }
        m.put("server", serverInfo);
        m.put("skipped", status == Status.SKIPPED);
        m.put("note", note());
        return m;
    }
}
