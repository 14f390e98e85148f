package io.weft.cli.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@link SoakClient} as seen from the soak: a child JVM with this JVM's class path
 * and flags, taking commands on its standard input and answering line by line. Its
 * standard error goes to this process's.
 */
final class ClientProcess implements AutoCloseable {

    /** A line that stands for the end of the child's output. */
    private static final String EOF = "\0eof";

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ClientProcess(Process process) {
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("soak-client-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child's output ended badly; the EOF below says so to whoever waits
            } finally {
                lines.add(EOF);
            }
        });
    }

    /** Starts the client JVM. */
    static ClientProcess start() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(inheritedFlags());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SoakClient.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        return new ClientProcess(pb.start());
    }

    /**
     * This JVM's flags that the client shares: module opening, native access, assertions,
     * stack size and {@code -Djdk.*}; not the heap size, the soak's own properties or agents.
     */
    private static List<String> inheritedFlags() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--enable-native-access") || a.startsWith("-Djdk.")
                    || a.equals("-ea") || a.startsWith("-Xss")) {
                out.add(a);
            }
        }
        return out;
    }

    long pid() {
        return process.pid();
    }

    /** Sends one command line. */
    void send(String command) throws IOException {
        commands.write(command + "\n");
        commands.flush();
    }

    /**
     * The next line of output, waiting at most {@code timeout}.
     *
     * @throws IOException if the child ended or said nothing for that long
     */
    String next(Duration timeout) throws IOException, InterruptedException {
        String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new IOException("the soak client (pid " + process.pid() + ") said nothing for " + timeout.toSeconds() + " s");
        }
        if (line.equals(EOF)) {
            lines.add(EOF); // for any later call
            String exit = process.isAlive() ? "closed its output" : "exited with status " + process.waitFor();
            throw new IOException("the soak client (pid " + process.pid() + ") " + exit + " before finishing its command");
        }
        return line;
    }

    /** Reads lines until one that starts with {@code word} (returned); the lines before go to {@code into}. */
    String until(String word, ClientResult into, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new IOException("the soak client did not say '" + word + "' within " + timeout.toSeconds() + " s");
            }
            String line = next(Duration.ofNanos(left));
            if (line.equals(word) || line.startsWith(word + " ")) {
                return line;
            }
            into.accept(line);
        }
    }

    /** Asks the client to quit, and kills it if it does not within a few seconds. */
    @Override
    public void close() {
        try {
            send("quit");
            commands.close();
        } catch (IOException e) {
            // it is gone already
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
