/**
 * Shared-memory IPC between processes on one host.
 *
 * <p>{@link io.weft.ipc.OneToOneRing} and {@link io.weft.ipc.ManyToOneRing} are rings of
 * typed records in a file under /dev/shm, written in place ({@code tryClaim}, write,
 * {@code commit}) and read in batches. {@link io.weft.ipc.WaitStrategy} says how a side
 * waits for the other.
 *
 * <pre>{@code
 * // process A
 * try (OneToOneRing ring = OneToOneRing.create(Path.of("/dev/shm/demo"), 1 << 16)) {
 *     long i = ring.claim(7, Long.BYTES, WaitStrategy.backoff(), Deadline.after(Duration.ofSeconds(1)));
 *     ring.buffer().set(ValueLayout.JAVA_LONG_UNALIGNED, i, 42L);
 *     ring.commit(i);
 * }
 * // process B
 * try (OneToOneRing ring = OneToOneRing.open(Path.of("/dev/shm/demo"))) {
 *     if (ring.awaitRecords(WaitStrategy.notifying(), Deadline.after(Duration.ofSeconds(1)))) {
 *         ring.read((type, buf, index, length) -> System.out.println(buf.get(ValueLayout.JAVA_LONG_UNALIGNED, index)), 16);
 *     }
 * }
 * }</pre>
 */
package io.weft.ipc;
