package io.weft.bench.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Heap per idle connection of a server process: its live heap after a full GC, before and
 * after this process opens N connections that send nothing, divided by N. The server JVM
 * is asked through jcmd (GC.run, then the used bytes of every heap space from its
 * performance counters), which works alike for every contender and every collector.
 */
final class IdleHeap {
    private IdleHeap() {
    }

    /** What one measurement found: heap bytes after a full GC before and with {@code connections} idle connections. */
    record Result(String contender, int connections, long heapBefore, long heapAfter) {
        double bytesPerConnection() {
            return (heapAfter - heapBefore) / (double) connections;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("contender", contender);
            m.put("idle_connections", connections);
            m.put("heap_after_gc_before", heapBefore);
            m.put("heap_after_gc_with_idle", heapAfter);
            m.put("heap_bytes_per_idle_connection", io.weft.bench.Json.round(bytesPerConnection(), 1));
            return m;
        }
    }

    static Result measure(String contender, long pid, int port, int n) throws IOException {
        long before = heapAfterGc(pid);
        int fds = openFds(pid);
        List<Socket> sockets = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            }
            // the kernel completes handshakes by itself; wait until the server has accepted them all
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (openFds(pid) < fds + n) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the server accepted only " + (openFds(pid) - fds) + " of " + n + " idle connections in 30 s");
                }
                sleep(20);
            }
            return new Result(contender, n, before, heapAfterGc(pid));
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Used heap bytes of {@code pid} after two full GCs (the second collects what the first left to finalise). */
    static long heapAfterGc(long pid) throws IOException {
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        long used = 0;
        boolean found = false;
        for (String line : jcmd(pid, "PerfCounter.print").split("\n")) {
            if (line.matches("sun\\.gc\\.generation\\.\\d+\\.space\\.\\d+\\.used=\\d+")) {
                used += Long.parseLong(line.substring(line.indexOf('=') + 1));
                found = true;
            }
        }
        if (!found) {
            throw new IOException("jcmd " + pid + " PerfCounter.print shows no heap space counters (is -XX:-UsePerfData set?)");
        }
        return used;
    }

    private static String jcmd(long pid, String command) throws IOException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("jcmd " + pid + " " + command + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running jcmd");
        }
        return out;
    }

    private static int openFds(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the server to accept");
        }
    }
}
