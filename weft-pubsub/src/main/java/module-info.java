/**
 * Weft pub/sub: channels of shared-memory slots between processes on one host, set up by
 * a server on a Unix socket; publishers write messages in place and any number of
 * subscribers read them without copies.
 */
module io.weft.pubsub {
    requires transitive io.weft.ipc;
    exports io.weft.pubsub;
}
