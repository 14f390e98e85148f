package io.weft.bench;

import io.weft.bench.echo.EchoBench;
import io.weft.bench.echo.EchoOptions;
import io.weft.bench.http.HttpBench;
import io.weft.bench.http.HttpOptions;
import io.weft.bench.file.FileBench;
import io.weft.bench.ipc.IpcBench;
import io.weft.bench.ipc.IpcOptions;
import io.weft.bench.micro.MicroBench;
import io.weft.bench.pubsub.PubSubBench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ./weft bench NAME [options]}: {@code echo} (the side-by-side TCP echo harness),
 * {@code http} (wrk against HTTP servers), {@code micro} (JMH), {@code file} (random file
 * reads), {@code ipc} (round trips between two processes), {@code all} (each of them,
 * planned to fit 20 minutes on 2 cores).
 *
 * <p>The echo and IPC harnesses want their load generator (requester) on its own core. When
 * it may pin and is not pinned yet, this JVM starts itself again under {@code taskset -c LOADGEN_CPU} with
 * the same JVM options and arguments and waits for it; the environment variable
 * {@value #PINNED_ENV} marks the pinned copy.
 */
public final class Main {
    private Main() {
    }

    static final String PINNED_ENV = "WEFT_BENCH_PINNED";
    /** What {@code all} is meant to fit in. */
    static final double ALL_BUDGET_SECONDS = 20 * 60;

    private static final String USAGE = """
            usage: ./weft bench NAME [options]        (./weft bench NAME --help for NAME's options)
              echo    TCP echo: Weft (io_uring, epoll, nio) vs Netty (epoll, io_uring) vs JDK threads,
                      server pinned to CPU 0, load generator to CPU 1; writes bench-results/echo.json, echo.svg
              http    HTTP/1.1 with wrk: weft-http (io_uring, epoll, nio) vs Netty (epoll, io_uring) vs Helidon vs the JDK's
                      HttpServer, GET /plaintext with and without pipelining, server on CPU 0, wrk on CPU 1;
                      writes bench-results/http.json, http.svg
              micro   JMH micro-benchmarks, each beside its JDK equivalent; writes bench-results/micro.json, micro.svg
              file    4 KiB random reads of a page-cached file: Weft AsyncFile (io_uring, epoll, nio) vs FileChannel
                      on virtual and platform threads; writes bench-results/file.json, file.svg
              ipc     round trips of 64-byte messages between two processes: Weft rings (busy-spin, yield, backoff,
                      notify) vs Agrona's ring buffer vs Aeron IPC vs Unix socket vs loopback TCP, beside the floor of
                      two threads sharing a cache line; responder on CPU 0, requester on CPU 1;
                      writes bench-results/ipc.json, ipc.svg
              pubsub  one publisher to 1 and 4 subscriber processes, 64 B and 4 KiB messages: weft-pubsub (reliable,
                      unreliable; spinning, notified) vs Aeron IPC vs a Unix-socket broker, beside the cache-line floor;
                      writes bench-results/pubsub.json, pubsub.svg
              all     echo, then http, then micro, then file, then ipc (accepts their options; --contenders applies
                      to echo only); prints the planned total first
              idle    the CPU an idle runtime uses over 10 s, from /proc/self/stat; fails at 1% of a core or more
            """;

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || Set.of("help", "-h", "--help").contains(args[0])) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        int status;
        try {
            status = switch (args[0]) {
                case "echo" -> echo(rest);
                case "http" -> http(rest);
                case "micro" -> micro(rest);
                case "file" -> file(rest);
                case "ipc" -> ipc(rest);
                case "pubsub" -> pubsub(rest);
                case "all" -> all(rest);
                case "idle" -> idle(rest);
                default -> throw new IllegalArgumentException("unknown benchmark '" + args[0] + "'\n" + USAGE);
            };
        } catch (IllegalArgumentException e) {
            System.err.println("weft bench: " + e.getMessage());
            status = 2;
        }
        System.exit(status);
    }

    private static Path defaultOut() {
        return Path.of(System.getProperty("weft.bench.out", "bench-results"));
    }

    private static boolean wantsHelp(String[] args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h");
    }

    static int echo(String[] args) throws Exception {
        if (wantsHelp(args)) {
            System.out.print(EchoOptions.USAGE);
            return 0;
        }
        Options o = Options.parse(args, EchoOptions.VALUED, EchoOptions.FLAGS);
        EchoOptions eo = EchoOptions.from(o, defaultOut());
        if (mayRepin(eo.pin(), eo.serverCpu(), eo.loadgenCpu())) {
            return repinned(eo.loadgenCpu(), "echo", List.of(args));
        }
        return EchoBench.run(eo, System.out).ok() ? 0 : 1;
    }

    static int ipc(String[] args) throws Exception {
        if (wantsHelp(args)) {
            System.out.print(IpcOptions.USAGE);
            return 0;
        }
        IpcOptions io = IpcOptions.from(Options.parse(args, IpcOptions.VALUED, IpcOptions.FLAGS), defaultOut());
        if (mayRepin(io.pin(), io.serverCpu(), io.loadgenCpu())) {
            return repinned(io.loadgenCpu(), "ipc", List.of(args));
        }
        return IpcBench.run(io, System.out).ok() ? 0 : 1;
    }

    static int pubsub(String[] args) throws Exception {
        if (wantsHelp(args)) {
            System.out.print(PubSubBench.USAGE);
            return 0;
        }
        Options o = Options.parse(args, PubSubBench.VALUED, PubSubBench.FLAGS);
        Pinning p = Pinning.from(o);
        if (mayRepin(p.pin(), p.serverCpu(), p.loadgenCpu())) {
            return repinned(p.loadgenCpu(), "pubsub", List.of(args));
        }
        return PubSubBench.run(o, defaultOut(), System.out) ? 0 : 1;
    }

    static int http(String[] args) throws Exception {
        if (wantsHelp(args)) {
            System.out.print(HttpOptions.USAGE);
            return 0;
        }
        Options o = Options.parse(args, HttpOptions.VALUED, HttpOptions.FLAGS);
        return HttpBench.run(HttpOptions.from(o, defaultOut()), System.out) ? 0 : 1;
    }

    static int idle(String[] args) throws Exception {
        if (wantsHelp(args)) {
            System.out.print(IdleCpu.USAGE);
            return 0;
        }
        return IdleCpu.run(Options.parse(args, IdleCpu.VALUED, IdleCpu.FLAGS), System.out) ? 0 : 1;
    }

    static int micro(String[] args) throws Exception {
        if (wantsHelp(args)) {
            System.out.print(MicroBench.USAGE);
            return 0;
        }
        Options o = Options.parse(args, MicroBench.VALUED, MicroBench.FLAGS);
        MicroBench.run(MicroBench.Settings.from(o, defaultOut()), System.out);
        return 0;
    }

    static int file(String[] args) throws Exception {
        if (wantsHelp(args)) {
            System.out.print(FileBench.USAGE);
            return 0;
        }
        Options o = Options.parse(args, FileBench.VALUED, FileBench.FLAGS);
        FileBench.run(FileBench.Settings.from(o, defaultOut()), System.out);
        return 0;
    }

    static int all(String[] args) throws Exception {
        if (wantsHelp(args)) {
            System.out.print("usage: ./weft bench all [options of echo, http, micro, file and ipc; --contenders applies to echo only]\n\n"
                    + EchoOptions.USAGE + "\n" + HttpOptions.USAGE + "\n" + MicroBench.USAGE + "\n" + FileBench.USAGE
                    + "\n" + IpcOptions.USAGE);
            return 0;
        }
        Set<String> valued = new HashSet<>(EchoOptions.VALUED);
        valued.addAll(HttpOptions.VALUED);
        valued.addAll(MicroBench.VALUED);
        valued.addAll(FileBench.VALUED);
        valued.addAll(IpcOptions.VALUED);
        Set<String> flags = new HashSet<>(EchoOptions.FLAGS);
        flags.addAll(HttpOptions.FLAGS);
        flags.addAll(MicroBench.FLAGS);
        flags.addAll(FileBench.FLAGS);
        flags.addAll(IpcOptions.FLAGS);
        Options o = Options.parse(args, valued, flags);
        EchoOptions eo = EchoOptions.from(o, defaultOut());
        Set<String> httpKeys = new HashSet<>(HttpOptions.VALUED);
        httpKeys.addAll(HttpOptions.FLAGS);
        httpKeys.remove("contenders");
        HttpOptions ho = HttpOptions.from(Options.parse(o.toArgs(httpKeys).toArray(String[]::new),
                HttpOptions.VALUED, HttpOptions.FLAGS), defaultOut());
        MicroBench.Settings ms = MicroBench.Settings.from(o, defaultOut());
        FileBench.Settings fs = FileBench.Settings.from(o, defaultOut());
        Set<String> ipcKeys = new HashSet<>(IpcOptions.VALUED);
        ipcKeys.addAll(IpcOptions.FLAGS);
        ipcKeys.remove("contenders");
        List<String> ipcArgs = o.toArgs(ipcKeys);
        IpcOptions io = IpcOptions.from(Options.parse(ipcArgs.toArray(String[]::new), IpcOptions.VALUED, IpcOptions.FLAGS),
                defaultOut());
        double echoS = eo.plannedSeconds();
        double httpS = ho.plannedSeconds();
        double microS = ms.plannedSeconds();
        double fileS = fs.plannedSeconds();
        double ipcS = io.plannedSeconds();
        double totalS = echoS + httpS + microS + fileS + ipcS;
        System.out.printf("planned: echo about %s + http about %s + micro about %s + file about %s + ipc about %s = about %s%n",
                Durations.describe(echoS), Durations.describe(httpS), Durations.describe(microS),
                Durations.describe(fileS), Durations.describe(ipcS), Durations.describe(totalS));
        if (totalS > ALL_BUDGET_SECONDS) {
            System.out.println("warning: that is more than " + Durations.describe(ALL_BUDGET_SECONDS)
                    + "; shorten with --seconds, --runs, --iterations or --quick");
        }
        int status;
        if (mayRepin(eo.pin(), eo.serverCpu(), eo.loadgenCpu())) {
            Set<String> echoKeys = new HashSet<>(EchoOptions.VALUED);
            echoKeys.addAll(EchoOptions.FLAGS);
            status = repinned(eo.loadgenCpu(), "echo", o.toArgs(echoKeys));
        } else {
            status = EchoBench.run(eo, System.out).ok() ? 0 : 1;
        }
        System.out.println();
        if (!HttpBench.run(ho, System.out)) {
            status = 1;
        }
        System.out.println();
        MicroBench.run(ms, System.out);
        System.out.println();
        FileBench.run(fs, System.out);
        System.out.println();
        if (mayRepin(io.pin(), io.serverCpu(), io.loadgenCpu())) {
            if (repinned(io.loadgenCpu(), "ipc", ipcArgs) != 0) {
                status = 1;
            }
        } else if (!IpcBench.run(io, System.out).ok()) {
            status = 1;
        }
        return status;
    }

    /** True if this JVM should run a harness again pinned to the load generator's core. */
    private static boolean mayRepin(boolean pin, int serverCpu, int loadgenCpu) {
        return pin && System.getenv(PINNED_ENV) == null && ChildJvm.tasksetAvailable()
                && Machine.current().cpus() > Math.max(serverCpu, loadgenCpu);
    }

    /** Runs {@code Main command args} in a copy of this JVM pinned to {@code cpu}; returns its exit status. */
    private static int repinned(int cpu, String command, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.java());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(ChildJvm.classPath());
        cmd.add(Main.class.getName());
        cmd.add(command);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(ChildJvm.pinned(cpu, cmd)).inheritIO();
        pb.environment().put(PINNED_ENV, Integer.toString(cpu));
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor();
    }
}
