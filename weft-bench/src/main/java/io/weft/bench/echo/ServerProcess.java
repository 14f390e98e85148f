package io.weft.bench.echo;

import io.weft.bench.ChildJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One contender's server JVM as a harness sees it: started, its port read, stopped. The
 * main class speaks the protocol of {@link EchoServerMain} (the HTTP harness's servers
 * speak it too).
 */
public final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final String info;
    private final Path log;

    private ServerProcess(Process process, int port, String info, Path log) {
        this.process = process;
        this.port = port;
        this.info = info;
        this.log = log;
    }

    /**
     * Starts the server for {@code c}, on core {@code cpu} if not null, with its standard
     * error in {@code log}; waits (up to 60 s) for its port.
     *
     * @throws ContenderUnavailableException if the server says it cannot run here
     * @throws IOException                   if it fails to start; the message has the end of its log
     */
    static ServerProcess start(Contender c, List<String> jvmOptions, Integer cpu, Path log)
            throws IOException, ContenderUnavailableException {
        return start(c.id(), EchoServerMain.class.getName(), jvmOptions, cpu, log);
    }

    /**
     * Starts {@code mainClass id} (a main that speaks {@link EchoServerMain}'s protocol), on
     * core {@code cpu} if not null, with its standard error in {@code log}.
     */
    public static ServerProcess start(String id, String mainClass, List<String> jvmOptions, Integer cpu, Path log)
            throws IOException, ContenderUnavailableException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.java());
        cmd.addAll(ChildJvm.inheritedFlags());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(ChildJvm.classPath());
        cmd.add(mainClass);
        cmd.add(id);
        if (cpu != null) {
            cmd = ChildJvm.pinned(cpu, cmd);
        }
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        CompletableFuture<String> first = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                first.complete(r.readLine());
                // keep reading so that the server never blocks on a full pipe
                while (r.readLine() != null) {
                    // nothing else is expected on standard output
                }
            } catch (IOException e) {
                first.completeExceptionally(e);
            }
        });
        String line;
        try {
            line = first.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            p.destroyForcibly();
            throw new IOException(id + " server printed no port within 60 s" + tail(log));
        } catch (ExecutionException e) {
            p.destroyForcibly();
            throw new IOException(id + " server: " + e.getCause().getMessage() + tail(log), e.getCause());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + id);
        }
        if (line != null && line.startsWith(EchoServerMain.UNAVAILABLE + " ")) {
            waitQuietly(p);
            throw new ContenderUnavailableException(line.substring(EchoServerMain.UNAVAILABLE.length() + 1), null);
        }
        if (line == null || !line.startsWith(EchoServerMain.PORT + " ")) {
            p.destroyForcibly();
            waitQuietly(p);
            throw new IOException(id + " server " + (line == null ? "exited (status " + p.exitValue() + ")"
                    : "printed '" + line + "'") + " instead of its port" + tail(log));
        }
        String[] parts = line.split(" ", 3);
        return new ServerProcess(p, Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", log);
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public String info() {
        return info;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the server's log, for a failure message. */
    public String logTail() {
        return tail(log);
    }

    /** Closes the server's standard input (its signal to stop), then waits, then kills if it must. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void waitQuietly(Process p) {
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            if (lines.isEmpty()) {
                return "";
            }
            return "; log " + log + " ends: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
