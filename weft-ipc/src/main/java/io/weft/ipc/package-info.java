/**
 * Shared-memory IPC between processes on one host.
 *
 * <p>{@link io.weft.ipc.OneToOneRing} and {@link io.weft.ipc.ManyToOneRing} are rings of
 * typed records in shared memory, written in place ({@code tryClaim}, write,
 * {@code commit}) and read in batches. {@link io.weft.ipc.WaitStrategy} says how a side
 * waits for the other. {@link io.weft.ipc.RpcServer} and {@link io.weft.ipc.RpcClient} run
 * calls between processes over a pair of rings set up by a Unix-socket handshake.
 *
 * <p>A ring lives in a sealed memfd ({@code create(capacity)}): the maker passes its
 * descriptor over a Unix socket and the other process maps it with {@code open(OwnedFd)},
 * which checks the seals and the size first, so neither side can shrink the memory under
 * the other, and nothing is left in /dev/shm if both die. A ring may also live in a named
 * file ({@code create(Path, capacity)}, {@code open(Path)}), for peers trusted not to
 * truncate it. The other side is never trusted with the contents: a position or length
 * that no correct peer writes ends the call with {@link io.weft.ipc.RingCorruptedException}.
 *
 * <pre>{@code
 * // process A: make the ring and send it (UnixStream conn, from a Weft task)
 * OneToOneRing ring = OneToOneRing.create(1 << 16);
 * conn.send(ByteBuffer.wrap(new byte[] {1}), ring.sharedMemory());
 * long i = ring.claim(7, Long.BYTES, WaitStrategy.backoff(), Deadline.after(Duration.ofSeconds(1)));
 * ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 42L);
 * ring.commit(i);
 * // process B
 * try (UnixMessage m = conn.receive(ByteBuffer.allocate(1), 1);
 *      OneToOneRing ring = OneToOneRing.open(m.fds().get(0))) {
 *     if (ring.awaitRecords(WaitStrategy.notifying(), Deadline.after(Duration.ofSeconds(1)))) {
 *         ring.read((type, buf, index, length) -> System.out.println(buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index)), 16);
 *     }
 * }
 * }</pre>
 *
 * <p>The busy-spin, yield and backoff strategies are for dedicated threads; inside a Weft
 * task use the notifying one, which parks the task and leaves its loop free, or the hybrid
 * one, which first polls for a bounded time, yielding to the loop's other tasks between
 * polls. A side that only ever spins can vow so ({@link io.weft.ipc.ShmRing#consumerNeverSleeps()},
 * {@link io.weft.ipc.OneToOneRing#producerNeverSleeps()}), which spares its peer a memory
 * fence per publish.
 */
package io.weft.ipc;
