package io.weft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine a result was measured on, as the results files describe it. */
public record Machine(int cpus, String kernel, String jdk, String cpuModel) {

    /** This machine. {@code cpus} counts every online core, not only those this process may use. */
    public static Machine current() {
        int cpus = java.lang.Runtime.getRuntime().availableProcessors();
        String model = "unknown";
        try {
            List<String> stat = Files.readAllLines(Path.of("/proc/stat"));
            cpus = Math.max(1, ProcStat.onlineCpus(stat));
        } catch (IOException | RuntimeException e) {
            // not Linux: the JVM's count is the best there is
        }
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(model);
        } catch (IOException e) {
            // not Linux
        }
        String jdk = System.getProperty("java.runtime.version", System.getProperty("java.version"))
                + " (" + System.getProperty("java.vm.vendor", "unknown vendor") + ")";
        return new Machine(cpus, System.getProperty("os.version"), jdk, model);
    }

    /** The {@code "machine"} member of a results file: exactly cpus, kernel and jdk. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", cpus);
        m.put("kernel", kernel);
        m.put("jdk", jdk);
        return m;
    }

    /** One line for the top of a report. */
    public String describe() {
        return cpus + " CPUs (" + cpuModel + "), Linux " + kernel + ", JDK " + jdk;
    }
}
