package io.weft.pubsub;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A second JVM running {@link PubSubPeer} with this JVM's class path and Weft's JVM flags; it exits when its input ends. */
final class ChildJvm implements AutoCloseable {

    private static final String DEFAULT_FLAGS = "--add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Djdk.trackAllThreads=false";

    final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private volatile boolean outputEnded;

    private ChildJvm(Process process) {
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

    /** Starts {@link PubSubPeer} with {@code args} and waits for it to print READY. */
    static ChildJvm start(String... args) throws IOException, InterruptedException {
        ChildJvm c = launch(args);
        c.expect("READY");
        return c;
    }

    /** Starts {@link PubSubPeer} with {@code args}; the caller waits for READY (so that several start at once). */
    static ChildJvm launch(String... args) throws IOException {
        return launch(Map.of(), PubSubPeer.class, args);
    }

    /** Starts {@code main} with {@code args} and {@code env} added to this process's environment. */
    static ChildJvm launch(Map<String, String> env, Class<?> main, String... args) throws IOException {
        return launch(List.of(), System.getProperty("java.class.path"), env, main, args);
    }

    /** Starts {@code main} with {@code prefix} before the java command (such as setpriv) and the given class path. */
    static ChildJvm launch(List<String> prefix, String classPath, Map<String, String> env, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("weft.jvm.flags", DEFAULT_FLAGS).trim().split("\\s+")));
        cmd.add("-Xss1m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main.getName());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        return new ChildJvm(pb.start());
    }

    /** Waits (up to 60 s) for a line starting with {@code prefix} and returns it; fails as soon as the output ends without one. */
    String expect(String prefix) throws InterruptedException, IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            boolean ended = outputEnded;
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line == null) {
                if (ended) {
                    throw new IOException("the child JVM ended its output without printing " + prefix
                            + (process.waitFor(5, TimeUnit.SECONDS) ? " (exit code " + process.exitValue() + ")" : ""));
                }
                if (System.nanoTime() - end > 0) {
                    throw new IOException("the child JVM did not print " + prefix + " within 60 s (alive: " + process.isAlive() + ")");
                }
                continue;
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("pid " + process.pid() + " survived SIGKILL for 10 s");
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
