package io.weft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time from {@code /proc}: a process's user and system time from
 * {@code /proc/PID/stat}, and a core's busy and idle time from {@code /proc/stat}.
 * Both count clock ticks ({@code CLK_TCK}, 100 per second on Linux/x86-64), so a window
 * of {@code s} seconds is measured to about {@code 1 / (100 s)}.
 */
/*
 * Overview
 *
 * /proc/PID/stat is one line: "pid (comm) state ppid ...". comm is the executable's name
 * and may itself hold spaces and parentheses ("(java) x)"), so fields are counted from the
 * last ')' rather than by splitting the whole line. After it, field 3 (state) is token 0,
 * so utime (field 14) is token 11 and stime (field 15) is token 12 (proc(5)). The values
 * cover every thread of the process, dead ones included, which is what "the server's CPU"
 * means for a JVM with JIT and GC threads.
 *
 * Rejected: /proc/PID/schedstat (nanoseconds, but only the main thread's) and perf stat
 * (not installed everywhere, and a second process to coordinate).
 */
public final class ProcStat {
    private ProcStat() {
    }

    /** User and system CPU time of a process, in clock ticks. */
    public record CpuTimes(long userTicks, long systemTicks) {
        public long totalTicks() {
            return userTicks + systemTicks;
        }

        /** The time spent between {@code earlier} and this sample. */
        public CpuTimes minus(CpuTimes earlier) {
            return new CpuTimes(userTicks - earlier.userTicks, systemTicks - earlier.systemTicks);
        }
    }

    /** Busy and idle time of one core, in clock ticks. */
    public record CoreTimes(long busyTicks, long idleTicks) {
        public CoreTimes minus(CoreTimes earlier) {
            return new CoreTimes(busyTicks - earlier.busyTicks, idleTicks - earlier.idleTicks);
        }
    }

    /**
     * Parses the content of {@code /proc/PID/stat}.
     *
     * @throws IllegalArgumentException if the line is not in that format
     */
    public static CpuTimes parseProcessStat(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0 || line.indexOf('(') < 0 || line.indexOf('(') > close) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + abbreviate(line));
        }
        String[] f = line.substring(close + 1).trim().split("\\s+");
        if (f.length < 13) {
            throw new IllegalArgumentException("too few fields in /proc/PID/stat line: " + abbreviate(line));
        }
        try {
            return new CpuTimes(Long.parseLong(f[11]), Long.parseLong(f[12]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("utime/stime are not numbers in /proc/PID/stat line: " + abbreviate(line), e);
        }
    }

    /**
     * The CPU time of the waited-for children of the process whose {@code /proc/PID/stat}
     * line this is (cutime and cstime, fields 16 and 17): a child's time is added when its
     * parent reaps it, so it measures a child that has already exited.
     */
    public static CpuTimes parseChildrenStat(String line) {
        int close = line.lastIndexOf(')');
        String[] f = line.substring(close + 1).trim().split("\\s+");
        if (close < 0 || f.length < 15) {
            throw new IllegalArgumentException("too few fields in /proc/PID/stat line: " + abbreviate(line));
        }
        return new CpuTimes(Long.parseLong(f[13]), Long.parseLong(f[14]));
    }

    /** This process's reaped children's CPU time ({@link #parseChildrenStat}). */
    public static CpuTimes selfChildren() throws IOException {
        return parseChildrenStat(Files.readString(Path.of("/proc/self/stat")));
    }

    /**
     * Parses core {@code cpu}'s line ({@code cpuN user nice system idle iowait irq softirq
     * steal ...}) out of the content of {@code /proc/stat}. Busy is user + nice + system +
     * irq + softirq + steal; idle is idle + iowait.
     *
     * @throws IllegalArgumentException if there is no line for that core
     */
    public static CoreTimes parseCoreStat(List<String> procStat, int cpu) {
        String prefix = "cpu" + cpu + " ";
        for (String line : procStat) {
            if (line.startsWith(prefix)) {
                String[] f = line.trim().split("\\s+");
                long[] v = new long[9];
                for (int i = 1; i < Math.min(f.length, 9); i++) {
                    v[i] = Long.parseLong(f[i]);
                }
                long busy = v[1] + v[2] + v[3] + v[6] + v[7] + v[8];
                long idle = v[4] + v[5];
                return new CoreTimes(busy, idle);
            }
        }
        throw new IllegalArgumentException("no line for cpu" + cpu + " in /proc/stat");
    }

    /** The number of cores the kernel lists in {@code /proc/stat} (all of them, whatever this process's affinity). */
    public static int onlineCpus(List<String> procStat) {
        int n = 0;
        for (String line : procStat) {
            if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                n++;
            }
        }
        return n;
    }

    /** Reads {@code /proc/PID/stat}. */
    public static CpuTimes process(long pid) throws IOException {
        return parseProcessStat(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /** Reads this process's {@code /proc/self/stat}. */
    public static CpuTimes self() throws IOException {
        return parseProcessStat(Files.readString(Path.of("/proc/self/stat")));
    }

    /** Reads core {@code cpu}'s times from {@code /proc/stat}. */
    public static CoreTimes core(int cpu) throws IOException {
        return parseCoreStat(Files.readAllLines(Path.of("/proc/stat")), cpu);
    }

    /** True if this machine has the files this class reads. */
    public static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat")) && Files.isReadable(Path.of("/proc/stat"));
    }

    /**
     * Clock ticks per second. {@code CLK_TCK} is a kernel constant that is 100 on every
     * mainstream Linux target; {@code getconf} confirms it where it is installed.
     */
    public static long ticksPerSecond() {
        return Ticks.VALUE;
    }

    /** Asked once, on first use. */
    private static final class Ticks {
        static final long VALUE = readTicks();

        private static long readTicks() {
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor() == 0 && out.matches("\\d+")) {
                    return Long.parseLong(out);
                }
            } catch (IOException e) {
                // no getconf: fall through to the Linux default
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 100;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s.strip() : s.substring(0, 80) + "...";
    }
}
