package io.weft.cli.soak;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the soak measures about its own process, from {@code /proc/self} and the JVM. */
final class ProcessStats {
    private ProcessStats() {
    }

    private static final Path FDS = Path.of("/proc/self/fd");

    /** Descriptor number to what it points at ({@code socket:[123]}, a path, ...), for saying what leaked. */
    static Map<Integer, String> fdTargets() throws IOException {
        Map<Integer, String> out = new TreeMap<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(FDS)) {
            for (Path p : d) {
                try {
                    out.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException | NumberFormatException e) {
                    // closed while listing (the listing's own descriptor, say): not a leak
                }
            }
        }
        return out;
    }

    /** The descriptors in {@code now} that were not in {@code before}, as {@code fd -> target}, at most 10. */
    static List<String> newFds(Map<Integer, String> before, Map<Integer, String> now) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Integer, String> e : now.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey())) && out.size() < 10) {
                out.add(e.getKey() + " -> " + e.getValue());
            }
        }
        return out;
    }

    /** The resident set size in bytes, from {@code VmRSS} in {@code /proc/self/status}; -1 if absent. */
    static long rssBytes() throws IOException {
        return statusKib("VmRSS:") * 1024;
    }

    private static long statusKib(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                String[] parts = line.substring(field.length()).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        return -1;
    }

    /**
     * The heap in use after full collections: {@link System#gc()} (a full, stop-the-world
     * collection with the JDK's default collector) until the figure stops falling, at most
     * five times.
     */
    static long heapAfterFullGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (used >= best) {
                break;
            }
            best = used;
        }
        return best;
    }

    /** The soft and hard limits on open files, from {@code /proc/self/limits}; -1 for unlimited or unknown. */
    static long[] fileLimits() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
                return new long[] {limit(parts[0]), limit(parts[1])};
            }
        }
        return new long[] {-1, -1};
    }

    private static long limit(String s) {
        return s.equals("unlimited") ? -1 : Long.parseLong(s);
    }
}
