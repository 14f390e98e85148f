package io.weft.ipc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A second JVM running {@link RpcPeer}, with this JVM's class path and Weft's JVM flags. */
final class PeerProcess implements AutoCloseable {

    private static final String DEFAULT_FLAGS = "--add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Djdk.trackAllThreads=false";

    final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Set once the peer's output ended: no more lines will come. */
    private volatile boolean outputEnded;

    private PeerProcess(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            } finally {
                outputEnded = true;
            }
        });
    }

    static PeerProcess start(String... args) throws IOException, InterruptedException {
        return start(List.of(), System.getProperty("java.class.path"), args);
    }

    /**
     * Starts the peer with {@code prefix} before the java command (such as setpriv, to run
     * it as another user) and the given class path.
     */
    static PeerProcess start(List<String> prefix, String classPath, String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(prefix, classPath, args)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        PeerProcess peer = new PeerProcess(p);
        peer.expect("READY");
        return peer;
    }

    /**
     * Runs the peer's {@code probe} mode with {@code prefix} and {@code classPath}, to learn
     * whether a peer can start that way at all (another user may not be able to read the
     * class path or the JDK).
     *
     * @return null if it printed READY and exited normally, else what it printed
     */
    static String failedProbe(List<String> prefix, String classPath) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(prefix, classPath, "probe")).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readNBytes(64 * 1024); // the probe exits at once, or fails at once
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return "the probe did not exit within 60 s";
        }
        String text = new String(out, StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 && text.equals("READY") ? null : "exit code " + p.exitValue() + ": " + text;
    }

    private static List<String> command(List<String> prefix, String classPath, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("weft.jvm.flags", DEFAULT_FLAGS).trim().split("\\s+")));
        cmd.add("-Xss1m");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(RpcPeer.class.getName());
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** Waits (up to 60 s) for the line {@code want} on the peer's output. */
    void expect(String want) throws InterruptedException, IOException {
        expectStart(want);
    }

    /**
     * Waits (up to 60 s) for a line starting with {@code prefix}, and returns it; fails as
     * soon as the peer's output ends without one (it exited or crashed).
     */
    String expectStart(String prefix) throws InterruptedException, IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            boolean ended = outputEnded; // read before the poll: a line added before the end is still seen
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line == null) {
                if (ended) {
                    throw new IOException("the peer process ended its output without printing " + prefix
                            + (process.waitFor(5, TimeUnit.SECONDS) ? " (exit code " + process.exitValue() + ")" : ""));
                }
                if (System.nanoTime() - end > 0) {
                    throw new IOException("the peer process did not print " + prefix + " within 60 s (alive: " + process.isAlive() + ")");
                }
                continue;
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close(); // the peer exits at the end of its input
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
