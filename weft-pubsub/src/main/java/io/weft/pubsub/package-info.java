/**
 * Publish/subscribe between processes on one host over shared memory.
 *
 * <p>A {@link io.weft.pubsub.PubSubServer} (embedded in any Weft runtime, or run with
 * {@code ./weft serve pubsub}) owns the channels and hands each client the channel's
 * memory as sealed memfds over its Unix socket; it never sees a message. A channel is a
 * number of slots: a {@link io.weft.pubsub.Publisher} claims one, writes the message into
 * it in place and publishes it; every {@link io.weft.pubsub.Subscriber} reads it where it
 * lies and closes its {@link io.weft.pubsub.Message} to give the slot back.
 *
 * <p>Unreliable publishers never wait and reuse the oldest slot no subscriber holds;
 * unreliable subscribers count what they missed. Reliable publishers never overwrite what
 * a reliable subscriber has not read. Every wait has a deadline and can be cancelled; a
 * client that dies (even by SIGKILL) is cleaned up after by the server, and the server's
 * death fails the clients' next waits. Every value read from the shared memory is checked
 * before use, so a process that scribbles on a channel breaks that channel only.
 */
package io.weft.pubsub;
