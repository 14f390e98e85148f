package io.weft.cli;

import java.util.List;
import java.util.Set;

/**
 * The options of {@code weft demo}.
 *
 * @param seconds     how long the clients run
 * @param connections how many client connections, one task each
 * @param size        the bytes in one message
 * @param backend     {@code auto}, {@code io_uring}, {@code epoll} or {@code nio}; null for the
 *                    runtime's default ({@code -Dweft.backend}, else auto)
 */
record DemoOptions(int seconds, int connections, int size, String backend) {

    static final List<String> BACKENDS = List.of("auto", "io_uring", "epoll", "nio");

    static final String USAGE = "demo [--seconds N] [--connections N] [--size BYTES] [--backend " + String.join("|", BACKENDS) + "]";

    static final int DEFAULT_SECONDS = 10;
    static final int DEFAULT_CONNECTIONS = 64;
    static final int DEFAULT_SIZE = 64;
    /** Far above any useful echo message, low enough that a typo cannot ask for gigabytes per connection. */
    static final int MAX_SIZE = 16 << 20;

    static DemoOptions parse(String[] args) throws UsageException {
        Args a = Args.parse(args, Set.of("seconds", "connections", "size", "backend"));
        return new DemoOptions(
                a.intValue("seconds", DEFAULT_SECONDS, 1, 86_400),
                a.intValue("connections", DEFAULT_CONNECTIONS, 1, 100_000),
                a.intValue("size", DEFAULT_SIZE, 1, MAX_SIZE),
                a.choice("backend", BACKENDS));
    }
}
