package io.weft.bench;

/**
 * Where a harness puts the server and the load generator: {@code --server-cpu},
 * {@code --loadgen-cpu}, and {@code --no-pin} to leave both to the scheduler.
 */
public record Pinning(boolean pin, int serverCpu, int loadgenCpu) {

    /** The pinning options in {@code o} (defaults: pin, server on CPU 0, load generator on CPU 1). */
    public static Pinning from(Options o) {
        int serverCpu = o.intValue("server-cpu", 0, 0);
        int loadgenCpu = o.intValue("loadgen-cpu", 1, 0);
        boolean pin = !o.flag("no-pin");
        if (pin && serverCpu == loadgenCpu) {
            throw new IllegalArgumentException("--server-cpu and --loadgen-cpu must differ (both " + serverCpu + ")");
        }
        return new Pinning(pin, serverCpu, loadgenCpu);
    }

    /** Why the two cannot be pinned on {@code m}, or null if they can. */
    public String problem(Machine m) {
        if (!pin) {
            return "--no-pin";
        }
        if (!ChildJvm.tasksetAvailable()) {
            return "taskset (util-linux) is not installed";
        }
        if (m.cpus() <= Math.max(serverCpu, loadgenCpu)) {
            return "this machine has " + m.cpus() + " CPU(s); pinning needs CPUs " + serverCpu + " and " + loadgenCpu;
        }
        return null;
    }
}
