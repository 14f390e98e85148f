package io.weft;

/** A task body that returns nothing and may throw; the void twin of {@link java.util.concurrent.Callable}. */
@FunctionalInterface
public interface ThrowingRunnable {
    void run() throws Exception;
}
