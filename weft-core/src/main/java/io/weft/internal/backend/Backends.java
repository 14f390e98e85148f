package io.weft.internal.backend;

import io.weft.internal.backend.epoll.EpollProvider;
import io.weft.internal.backend.nio.NioProvider;
import io.weft.internal.backend.uring.UringProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the backend: {@code -Dweft.backend=auto|io_uring|epoll|nio}. {@code auto} tries
 * io_uring, then epoll, then nio, and says in one log line why it passed over each.
 */
public final class Backends {
    private Backends() {
    }

    /** Makes a provider, or says why this machine cannot have it. */
    @FunctionalInterface
    public interface Probe {
        BackendProvider probe() throws BackendUnavailableException;
    }

    private record Candidate(String name, Probe probe) {
    }

    /** In the order {@code auto} tries them. */
    private static final List<Candidate> CANDIDATES = List.of(
            new Candidate("io_uring", UringProvider::new),
            new Candidate("epoll", EpollProvider::probe),
            new Candidate("nio", NioProvider::new));

    /** The names {@code -Dweft.backend} accepts. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        names.add("auto");
        CANDIDATES.forEach(c -> names.add(c.name));
        return names;
    }

    /** The result of a choice: the provider, and for {@code auto} why others were passed over. */
    public record Choice(BackendProvider provider, String reason) {
    }

    /**
     * Chooses a backend.
     *
     * @param requested {@code auto} or a backend name (case-insensitive); null means auto
     * @throws IllegalArgumentException      for an unknown name
     * @throws BackendUnavailableException  if a named backend cannot run here
     */
    public static Choice choose(String requested) throws BackendUnavailableException {
        String want = requested == null ? "auto" : requested.trim().toLowerCase(Locale.ROOT).replace("iouring", "io_uring");
        if (!want.equals("auto")) {
            for (Candidate c : CANDIDATES) {
                if (c.name.equals(want)) {
                    return new Choice(c.probe.probe(), "requested");
                }
            }
            throw new IllegalArgumentException("unknown backend '" + requested + "': expected one of " + names());
        }
        StringBuilder passed = new StringBuilder();
        for (Candidate c : CANDIDATES) {
            try {
                BackendProvider p = c.probe.probe();
                return new Choice(p, passed.isEmpty() ? "auto" : "auto; " + passed);
            } catch (BackendUnavailableException | RuntimeException | LinkageError e) {
                if (!passed.isEmpty()) {
                    passed.append("; ");
                }
                passed.append(c.name).append(" unavailable: ").append(e.getMessage());
            }
        }
        throw new BackendUnavailableException("no backend can run here: " + passed);
    }
}
