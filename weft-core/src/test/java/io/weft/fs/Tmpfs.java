package io.weft.fs;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test (a full file system, a read-only one), unmounted by
 * {@link #close()}. Mounting needs root (CAP_SYS_ADMIN); where it fails, the test is
 * skipped with mount's own words.
 */
final class Tmpfs implements AutoCloseable {

    final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} (mount's syntax: 1m) on a new directory under {@code parent}, or skips. */
    static Tmpfs mount(Path parent, String size) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(parent, "tmpfs");
        String out = sh("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0777", "tmpfs", dir.toString());
        if (out != null) {
            Files.delete(dir);
            Assumptions.abort("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): " + out);
        }
        return new Tmpfs(dir);
    }

    /** Remounts read-only, or skips. */
    void remountReadOnly() throws IOException, InterruptedException {
        String out = sh("mount", "-o", "remount,ro", dir.toString());
        if (out != null) {
            Assumptions.abort("cannot remount the tmpfs read-only: " + out);
        }
    }

    /** Runs a command; null if it exited 0, else what it printed and its status. */
    static String sh(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return cmd[0] + " cannot run: " + e.getMessage();
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", cmd) + " did not finish in 20 s";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.exitValue() == 0 ? null : String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        List<String> errors = new ArrayList<>();
        String out = sh("umount", dir.toString());
        if (out != null) {
            out = sh("umount", "-l", dir.toString()); // something still holds it open: detach it anyway
        }
        if (out != null) {
            errors.add(out);
        } else {
            Files.deleteIfExists(dir);
        }
        if (!errors.isEmpty()) {
            throw new IOException("cannot unmount " + dir + ": " + errors);
        }
    }
}
