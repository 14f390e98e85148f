package io.weft;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the tests. */
public final class TestSupport {
    private TestSupport() {
    }

    /** Waits (bounded) until {@code condition} holds; fails the test with {@code what} otherwise. */
    public static void eventually(String what, Duration limit, BooleanSupplier condition) {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }

    /** Waits until {@code t}'s thread is parked (WAITING or TIMED_WAITING). */
    public static void awaitParked(Thread t) {
        eventually(t + " is parked", Duration.ofSeconds(10), () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }

    /**
     * True if this machine has IPv6: the kernel offers it (/proc/net/if_inet6 exists only
     * then) and an AF_INET6 socket opens.
     */
    public static boolean ipv6Available() {
        if (!Files.exists(Path.of("/proc/net/if_inet6"))) {
            return false;
        }
        try {
            java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.INET6).close();
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Skips the test unless {@link #ipv6Available()}. */
    public static void assumeIpv6() {
        Assumptions.assumeTrue(ipv6Available(), "IPv6 is not available on this machine (no /proc/net/if_inet6, or AF_INET6 sockets are refused)");
    }

    /** The number of open file descriptors of this process. */
    public static int openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    /**
     * The sockets and anonymous inodes (epoll, eventfd, io_uring, timerfd) this process has
     * open, each as "fd -> target", where a target such as {@code socket:[4711]} names one
     * kernel object: a number reused for another object gives another entry.
     */
    public static Set<String> socketLikeFds() throws IOException {
        Set<String> open = new TreeSet<>();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException closedMeanwhile) {
                    continue;
                }
                if (target.startsWith("socket:") || target.startsWith("anon_inode:")) {
                    open.add(fd.getFileName() + " -> " + target);
                }
            }
        }
        return open;
    }

    /**
     * Fails unless, within {@code limit}, every socket and anonymous inode open now was
     * already open in {@code before}: counts only what was opened since, so descriptors
     * that other code in this JVM opens and closes meanwhile do not matter once closed.
     */
    public static void assertNoNewSocketLikeFds(Set<String> before, Duration limit) throws IOException {
        long end = System.nanoTime() + limit.toNanos();
        while (true) {
            Set<String> added = socketLikeFds();
            added.removeAll(before);
            if (added.isEmpty()) {
                return;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("file descriptors leaked: " + added);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while checking for leaked descriptors: " + added);
            }
        }
    }

    /**
     * Starts task number {@code i} of the calling task's runtime on loop {@code i} modulo
     * the loop count: tests that mean "across loops" say so, since {@link Weft#spawn} from a
     * task starts on the caller's own loop.
     */
    public static Task<Void> spawnOnLoop(int i, ThrowingRunnable body) {
        Runtime rt = Weft.runtime();
        return rt.spawnOn(i % rt.loopCount(), body);
    }

    /** Like {@link #spawnOnLoop(int, ThrowingRunnable)} for a body with a result. */
    public static <T> Task<T> spawnOnLoop(int i, java.util.concurrent.Callable<T> body) {
        Runtime rt = Weft.runtime();
        return rt.spawnOn(i % rt.loopCount(), body);
    }

    /** A small runtime for tests, in the scheduler mode the build selected. */
    public static Runtime.Builder runtime() {
        return Runtime.builder().loops(2).shutdownTimeout(Duration.ofSeconds(5));
    }

    /**
     * Runs {@code body} as the main task of a 2-loop runtime on {@code backend}, or skips
     * the test with the reason the backend cannot run here.
     */
    public static void onBackend(String backend, ThrowingRunnable body) throws Exception {
        onBackend(runtime(), backend, body);
    }

    /** Like {@link #onBackend(String, ThrowingRunnable)}, on a runtime built from {@code builder}. */
    public static void onBackend(Runtime.Builder builder, String backend, ThrowingRunnable body) throws Exception {
        Runtime.Builder b = builder.backend(backend);
        Runtime probe;
        try {
            probe = b.build();
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("backend " + backend + " is unavailable here: " + e.getMessage());
            return;
        }
        probe.close();
        Weft.run(b, () -> {
            if (!backend.equals(Weft.runtime().backend())) {
                throw new AssertionError("runtime runs " + Weft.runtime().backend() + ", not " + backend);
            }
            body.run();
        });
    }
}
