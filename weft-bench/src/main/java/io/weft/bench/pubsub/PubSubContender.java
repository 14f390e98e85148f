package io.weft.bench.pubsub;

import java.util.Arrays;
import java.util.List;

/** The pub/sub benchmark's contenders, by the names the command line and the results use. */
enum PubSubContender {
    WEFT_RELIABLE_SPIN("weft-pubsub-reliable-spin", true, true),
    WEFT_RELIABLE_NOTIFY("weft-pubsub-reliable-notify", true, false),
    WEFT_UNRELIABLE_SPIN("weft-pubsub-unreliable-spin", false, true),
    WEFT_UNRELIABLE_NOTIFY("weft-pubsub-unreliable-notify", false, false),
    AERON_IPC("aeron-ipc", true, true),
    UNIX_SOCKET_BROKER("unix-socket-broker", true, false),
    FLOOR("floor", true, true);

    private final String id;
    private final boolean reliable;
    private final boolean spins;

    PubSubContender(String id, boolean reliable, boolean spins) {
        this.id = id;
        this.reliable = reliable;
        this.spins = spins;
    }

    String id() {
        return id;
    }

    boolean reliable() {
        return reliable;
    }

    /** True if its subscribers busy-spin; false if they sleep until woken. */
    boolean spins() {
        return spins;
    }

    static PubSubContender of(String id) {
        for (PubSubContender c : values()) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no pub/sub contender '" + id + "'; one of " + all());
    }

    static List<String> all() {
        return Arrays.stream(values()).map(PubSubContender::id).toList();
    }
}
