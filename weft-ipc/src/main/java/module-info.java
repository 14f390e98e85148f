/**
 * Weft IPC: shared-memory rings between processes on one host, the ways to wait on them,
 * and RPC over a pair of rings.
 */
module io.weft.ipc {
    requires transitive io.weft.core;
    exports io.weft.ipc;
}
