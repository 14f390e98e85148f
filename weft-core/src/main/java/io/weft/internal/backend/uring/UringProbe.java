package io.weft.internal.backend.uring;

import io.weft.internal.backend.BackendUnavailableException;
import io.weft.internal.linux.Errno;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Locale;

/**
 * Finds out whether, and how, this process can use io_uring: which setup flags the kernel
 * takes, which features and opcodes it has. When it cannot, the exception says why in words
 * a person can act on (seccomp, memlock, the sysctl, the kernel).
 *
 * <p>{@code -Dweft.uring.failSetup=EPERM|ENOMEM|ENOSYS|EINVAL|io_uring_disabled} makes the
 * probe act as if setup had failed that way, so the fallback can be tested on a machine
 * where io_uring works.
 */
/*
 * Overview
 *
 * 1. /proc/sys/kernel/io_uring_disabled = 2 means no process may make a ring: stop there.
 *    (1 means only members of kernel.io_uring_group; setup then fails with EPERM and the
 *    message says so.)
 * 2. Set up a small ring with the wanted flags. On EINVAL drop the newest feature and try
 *    again, one step at a time, so an older kernel still gets everything it has:
 *
 *      DEFER_TASKRUN (6.1) -> SINGLE_ISSUER + R_DISABLED (6.0) -> COOP_TASKRUN +
 *      TASKRUN_FLAG (5.19) -> SUBMIT_ALL (5.18) -> CQSIZE + CLAMP only
 *
 *    Any other errno ends the probe with the reason (EPERM, ENOMEM, ENOSYS, ...).
 * 3. Require FEAT_NODROP (no completion may be lost) and FEAT_EXT_ARG (a timed wait in the
 *    same enter as the submit; 5.11).
 * 4. IORING_REGISTER_PROBE lists the opcodes; require those the backend issues, note the
 *    optional ones (LINK_TIMEOUT for native deadlines).
 *
 * Rejected: probing each loop's ring separately. The kernel answers the same for every ring
 * of a process, so the provider probes once and every loop opens its ring with the answer.
 */
final class UringProbe {
    private UringProbe() {
    }

    /** The property that simulates a setup failure, for tests of the fallback. */
    static final String FAIL_SETUP_PROPERTY = "weft.uring.failSetup";

    static final Path DISABLED_SYSCTL = Path.of("/proc/sys/kernel/io_uring_disabled");

    /** Flags tried first; see the overview for the order they are dropped in. */
    static final int WANTED_FLAGS = UringAbi.SETUP_SINGLE_ISSUER | UringAbi.SETUP_DEFER_TASKRUN
            | UringAbi.SETUP_R_DISABLED | UringAbi.SETUP_COOP_TASKRUN | UringAbi.SETUP_TASKRUN_FLAG
            | UringAbi.SETUP_SUBMIT_ALL | UringAbi.SETUP_CLAMP;

    private static final int[] STEP_DOWN = {
            UringAbi.SETUP_DEFER_TASKRUN,
            UringAbi.SETUP_SINGLE_ISSUER | UringAbi.SETUP_R_DISABLED,
            UringAbi.SETUP_COOP_TASKRUN | UringAbi.SETUP_TASKRUN_FLAG,
            UringAbi.SETUP_SUBMIT_ALL,
    };

    /** Opcodes without which the backend cannot run. */
    private static final byte[] REQUIRED_OPS = {
            UringAbi.OP_NOP, UringAbi.OP_READ, UringAbi.OP_READ_FIXED, UringAbi.OP_WRITE_FIXED,
            UringAbi.OP_RECV, UringAbi.OP_SEND, UringAbi.OP_ACCEPT, UringAbi.OP_CONNECT,
            UringAbi.OP_POLL_ADD, UringAbi.OP_ASYNC_CANCEL,
    };

    /**
     * What the probe found.
     *
     * @param setupFlags the IORING_SETUP_* flags every ring of this process is opened with
     * @param features   the IORING_FEAT_* bits
     * @param ops        the supported opcodes
     */
    record Support(int setupFlags, int features, BitSet ops) {

        boolean supports(byte opcode) {
            return ops.get(opcode & 0xff);
        }

        /** Linked timeouts, the basis of native deadlines. */
        boolean linkTimeout() {
            return supports(UringAbi.OP_LINK_TIMEOUT);
        }

        /**
         * Every opcode the file ops need (Capability.NATIVE_FILE_IO); MKDIRAT, the newest,
         * came in 5.15. Without them file I/O goes to the blocking pool, as on epoll.
         */
        boolean fileIo() {
            for (byte op : UringFileOps.OPCODES) {
                if (!supports(op)) {
                    return false;
                }
            }
            return true;
        }

        boolean singleIssuer() {
            return (setupFlags & UringAbi.SETUP_SINGLE_ISSUER) != 0;
        }

        @Override
        public String toString() {
            return "io_uring flags=0x" + Integer.toHexString(setupFlags) + " features=0x" + Integer.toHexString(features);
        }
    }

    /** Probes the kernel; see the overview. */
    static Support probe() throws BackendUnavailableException {
        String simulated = System.getProperty(FAIL_SETUP_PROPERTY, "").trim();
        if (!simulated.isEmpty()) {
            if (simulated.equalsIgnoreCase("io_uring_disabled")) {
                throw new BackendUnavailableException(disabledMessage("2 (simulated by -D" + FAIL_SETUP_PROPERTY + ")"));
            }
            int errno = simulatedErrno(simulated);
            throw new BackendUnavailableException(setupFailure(errno) + " [simulated by -D" + FAIL_SETUP_PROPERTY + "]");
        }
        String sysctl = readSysctl();
        if ("2".equals(sysctl)) {
            throw new BackendUnavailableException(disabledMessage("2"));
        }
        int flags = WANTED_FLAGS;
        int step = 0;
        Ring opened;
        for (;;) {
            try {
                opened = Ring.open(4, 8, flags);
                break;
            } catch (UringException e) {
                if (e.errno() == Errno.EINVAL && step < STEP_DOWN.length) {
                    flags &= ~STEP_DOWN[step++];
                    continue;
                }
                if (e.errno() == Errno.EPERM && "1".equals(sysctl)) {
                    throw new BackendUnavailableException(disabledMessage("1") + "; io_uring_setup: EPERM", e);
                }
                throw new BackendUnavailableException(setupFailure(e.errno()), e);
            } catch (RuntimeException | LinkageError e) {
                throw new BackendUnavailableException("io_uring_setup could not be called through FFM: " + e, e);
            }
        }
        try (Ring ring = opened) {
            int features = ring.features();
            if ((features & UringAbi.FEAT_NODROP) == 0) {
                throw new BackendUnavailableException("the kernel's io_uring lacks IORING_FEAT_NODROP (needs Linux 5.5+), "
                        + "so a completion could be lost on CQ overflow");
            }
            if ((features & UringAbi.FEAT_EXT_ARG) == 0) {
                throw new BackendUnavailableException("the kernel's io_uring lacks IORING_FEAT_EXT_ARG (needs Linux 5.11+), "
                        + "needed to submit and wait with a timeout in one call");
            }
            BitSet ops = probeOps(ring);
            for (byte op : REQUIRED_OPS) {
                if (!ops.get(op)) {
                    throw new BackendUnavailableException("the kernel's io_uring does not support opcode " + op
                            + " (needs Linux 5.7+)");
                }
            }
            return new Support(flags, features, ops);
        }
    }

    private static BitSet probeOps(Ring ring) throws BackendUnavailableException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment probe = arena.allocate(ProbeLayout.size(UringAbi.OP_TABLE_SIZE), 8);
            int r = ring.register(UringAbi.REGISTER_PROBE, probe, UringAbi.OP_TABLE_SIZE);
            if (r < 0) {
                throw new BackendUnavailableException("io_uring_register(PROBE) failed with " + Errno.name(-r)
                        + " (needs Linux 5.6+)");
            }
            int len = probe.get(ValueLayout.JAVA_BYTE, ProbeLayout.OPS_LEN) & 0xff;
            BitSet ops = new BitSet(UringAbi.OP_TABLE_SIZE);
            for (int i = 0; i < len; i++) {
                short f = probe.get(ValueLayout.JAVA_SHORT, ProbeLayout.opFlags(i));
                if ((f & UringAbi.IO_URING_OP_SUPPORTED) != 0) {
                    ops.set(i);
                }
            }
            return ops;
        }
    }

    private static int simulatedErrno(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "EPERM" -> Errno.EPERM;
            case "ENOMEM" -> Errno.ENOMEM;
            case "ENOSYS" -> Errno.ENOSYS;
            case "EINVAL" -> Errno.EINVAL;
            default -> throw new IllegalArgumentException("-D" + FAIL_SETUP_PROPERTY + "=" + name
                    + ": expected EPERM, ENOMEM, ENOSYS, EINVAL or io_uring_disabled");
        };
    }

    /** The reason for a failed io_uring_setup, in words that point at the fix. */
    static String setupFailure(int errno) {
        return switch (errno) {
            case Errno.EPERM -> "io_uring_setup was refused (EPERM): a seccomp filter or container policy blocks io_uring "
                    + "(Docker's and Kubernetes' default seccomp profiles do)";
            case Errno.ENOMEM -> "io_uring_setup failed (ENOMEM): the locked-memory limit RLIMIT_MEMLOCK is too low for the rings "
                    + "(ulimit -l is " + memlockLimit() + "); raise it or use a 5.12+ kernel, which does not charge rings to it";
            case Errno.ENOSYS -> "io_uring_setup is not implemented (ENOSYS): the kernel is older than 5.1 or built without "
                    + "CONFIG_IO_URING";
            case Errno.EINVAL -> "io_uring_setup rejected even the plainest ring (EINVAL): the kernel's io_uring is too old";
            default -> "io_uring_setup failed: " + Errno.text(errno) + " (" + Errno.name(errno) + ")";
        };
    }

    private static String disabledMessage(String value) {
        return "io_uring is disabled by /proc/sys/kernel/io_uring_disabled=" + value
                + (value.startsWith("1") ? " (only members of kernel.io_uring_group may use it)" : "");
    }

    private static String readSysctl() {
        try {
            return Files.readString(DISABLED_SYSCTL).trim();
        } catch (IOException | SecurityException e) {
            return ""; // older kernels have no such sysctl: nothing is disabled by it
        }
    }

    /** RLIMIT_MEMLOCK as /proc/self/limits states it, such as "8192 KiB" or "unlimited". */
    static String memlockLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max locked memory")) {
                    String[] f = line.substring("Max locked memory".length()).trim().split("\\s+");
                    if (f[0].equals("unlimited")) {
                        return "unlimited";
                    }
                    return Long.parseLong(f[0]) / 1024 + " KiB";
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: the message just cannot quote the number
        }
        return "unknown";
    }
}
