/**
 * Shared-memory IPC between processes on one host.
 *
 * <p>{@link io.weft.ipc.OneToOneRing} and {@link io.weft.ipc.ManyToOneRing} are rings of
 * typed records in a file under /dev/shm, written in place ({@code tryClaim}, write,
 * {@code commit}) and read in batches. {@link io.weft.ipc.WaitStrategy} says how a side
 * waits for the other. {@link io.weft.ipc.RpcServer} and {@link io.weft.ipc.RpcClient} run
 * calls between processes over a pair of rings set up by a Unix-socket handshake.
 *
 * <pre>{@code
 * // process A (the file goes when both sides have closed the ring)
 * OneToOneRing ring = OneToOneRing.create(Path.of("/dev/shm/demo"), 1 << 16);
 * long i = ring.claim(7, Long.BYTES, WaitStrategy.backoff(), Deadline.after(Duration.ofSeconds(1)));
 * ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 42L);
 * ring.commit(i);
 * // process B
 * try (OneToOneRing ring = OneToOneRing.open(Path.of("/dev/shm/demo"))) {
 *     if (ring.awaitRecords(WaitStrategy.notifying(), Deadline.after(Duration.ofSeconds(1)))) {
 *         ring.read((type, buf, index, length) -> System.out.println(buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index)), 16);
 *     }
 * }
 * }</pre>
 *
 * <p>The busy-spin, yield and backoff strategies are for dedicated threads; inside a Weft
 * task use the notifying one, which parks the task and leaves its loop free.
 */
package io.weft.ipc;
