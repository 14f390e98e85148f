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

    private PeerProcess(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
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
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("weft.jvm.flags", DEFAULT_FLAGS).trim().split("\\s+")));
        cmd.add("-Xss1m");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(RpcPeer.class.getName());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        PeerProcess peer = new PeerProcess(p);
        peer.expect("READY");
        return peer;
    }

    /** Waits (up to 60 s) for the line {@code want} on the peer's output. */
    void expect(String want) throws InterruptedException, IOException {
        expectStart(want);
    }

    /** Waits (up to 60 s) for a line starting with {@code prefix}, and returns it. */
    String expectStart(String prefix) throws InterruptedException, IOException {
        while (true) {
            String line = lines.poll(60, TimeUnit.SECONDS);
            if (line == null) {
                throw new IOException("the peer process did not print " + prefix + " within 60 s (alive: " + process.isAlive() + ")");
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
