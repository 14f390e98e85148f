package io.weft.internal.backend;

/**
 * Waits while the 32-bit word at {@code address} holds {@code expected}: completes with 0
 * once woken by a futex wake on that word, or with {@code -EAGAIN} if the word held another
 * value when the kernel looked. For backends with {@link Capability#FUTEX_WAIT}; others
 * complete it with {@code -EOPNOTSUPP}.
 *
 * <p>The word must stay mapped until the op's final completion (cancelled or not). A word
 * in memory shared with other processes needs {@code shared}: a private futex is keyed by
 * this process's address space and never meets another process's wake.
 */
public final class FutexWait extends IoOp {

    public final long address;
    public final int expected;
    public final boolean shared;

    public FutexWait(long address, int expected, boolean shared) {
        super(new WordHandle());
        if ((address & 3) != 0) {
            throw new IllegalArgumentException("a futex word must be 4-byte aligned: 0x" + Long.toHexString(address));
        }
        this.address = address;
        this.expected = expected;
        this.shared = shared;
    }

    /** Made per op: a memory word holds no kernel resource to release. */
    private static final class WordHandle extends Handle {
        @Override
        protected void closeNow() {
        }
    }
}
