package io.weft.bench;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for the JVMs the harness starts (echo servers, the pinned re-run of the
 * harness, JMH forks): this JVM's {@code java}, its class path, Weft's flags, and a
 * {@code taskset -c CPU} prefix where pinning is asked for.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * What every JVM that runs Weft needs; the launcher ({@code ./weft}, {@code JVM_FLAGS})
     * and the build ({@code weft.jvm.flags}) pass the same. Used only when this JVM was
     * started without them (from an IDE, say), so that children still run tasks on Weft's
     * loops rather than silently in the fallback mode.
     */
    private static final List<String> WEFT_FLAGS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "-Djdk.trackAllThreads=false");

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static String classPath() {
        return System.getProperty("java.class.path");
    }

    /**
     * The flags of this JVM that a child should share: module opening, native access,
     * {@code -Djdk.*} and {@code -Dweft.*} properties (not the harness's own
     * {@code -Dweft.bench.*}), and Weft's required flags if they are missing.
     */
    public static List<String> inheritedFlags() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc-unsafe-memory-access")
                    || a.startsWith("-Djdk.") || (a.startsWith("-Dweft.") && !a.startsWith("-Dweft.bench."))) {
                out.add(a);
            }
        }
        for (String f : WEFT_FLAGS) {
            String key = f.substring(0, f.indexOf('=') + 1);
            if (out.stream().noneMatch(a -> a.startsWith(key) && a.contains(f.substring(key.length())))) {
                out.add(f);
            }
        }
        return out;
    }

    /** The server JVMs' options from {@code --server-jvm-opts} (split at blanks), default {@code -Xms512m -Xmx512m}. */
    public static List<String> serverJvmOptions(Options o) {
        String jvm = o.string("server-jvm-opts", "-Xms512m -Xmx512m").strip();
        return jvm.isEmpty() ? List.of() : List.of(jvm.split("\\s+"));
    }

    /** True if {@code taskset} (util-linux) is on the PATH. */
    public static boolean tasksetAvailable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "taskset"))) {
                return true;
            }
        }
        return false;
    }

    /** {@code command} run on core {@code cpu} only; taskset execs it, so the pid stays the command's. */
    public static List<String> pinned(int cpu, List<String> command) {
        List<String> out = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu)));
        out.addAll(command);
        return out;
    }
}
