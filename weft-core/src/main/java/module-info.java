/**
 * Weft core: tasks on per-core event loops, timers, cancellation, the backends, TCP and files.
 */
module io.weft.core {
    exports io.weft;
    exports io.weft.fs;
    exports io.weft.net;
    exports io.weft.sync;
    // Raw syscalls (futex, pidfd_open) for the shared-memory rings; not a public API.
    exports io.weft.internal.linux to io.weft.ipc;
    // The futex wait as a loop operation, for the rings' notifying wait strategy.
    exports io.weft.internal.ipc to io.weft.ipc;
}
