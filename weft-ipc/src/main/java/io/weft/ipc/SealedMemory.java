package io.weft.ipc;

import io.weft.internal.linux.Errno;
import io.weft.net.OwnedFd;

import java.io.IOException;

/**
 * Memory files (memfds) that can be handed to another process and mapped there for good:
 * sealed against shrinking and growing, the same way the rings' memory is, so that no
 * process holding the descriptor can truncate it under another's mapping (which would
 * raise SIGBUS on the next access).
 */
public final class SealedMemory {

    private SealedMemory() {
    }

    /**
     * A new memfd of {@code size} bytes, zeroed, its memory reserved now (so a full tmpfs
     * fails here, not at a later write), sealed with F_SEAL_SHRINK, F_SEAL_GROW and
     * F_SEAL_SEAL. Close-on-exec.
     */
    public static OwnedFd create(String name, long size) throws IOException {
        int fd = Syscalls.memfdCreateSealable(name);
        if (fd < 0) {
            throw Errno.exception(fd, "memfd_create", name);
        }
        OwnedFd memory = OwnedFd.adopt(fd);
        try {
            int r = Syscalls.ftruncate(fd, size);
            if (r < 0) {
                throw Errno.exception(r, "ftruncate of memfd " + name + " to " + size + " bytes", null);
            }
            r = Syscalls.fallocate(fd, size);
            if (r < 0 && r != -Errno.EOPNOTSUPP) {
                throw new IOException("cannot reserve " + size + " bytes of shared memory for " + name + ": "
                        + Errno.exception(r, "fallocate", null).getMessage());
            }
            r = Syscalls.addSeals(fd, RingFile.REQUIRED_SEALS);
            if (r < 0) {
                throw Errno.exception(r, "fcntl(F_ADD_SEALS) on memfd " + name, null);
            }
            return memory;
        } catch (IOException | RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /**
     * Checks that {@code fd}, received from another process, is a memfd sealed against
     * shrinking and growing (and against new seals), and returns its size.
     *
     * @throws IOException naming what is wrong: no seals, missing seals, or the fstat failure
     */
    public static long checkSealed(OwnedFd fd, String what) throws IOException {
        int seals = Syscalls.seals(fd.fd());
        if (seals < 0) {
            throw new IOException(what + " cannot carry seals (" + Errno.exception(seals, "fcntl(F_GET_SEALS)", null).getMessage()
                    + "): not a memfd, so its sender could truncate it under the mapping");
        }
        if ((seals & RingFile.REQUIRED_SEALS) != RingFile.REQUIRED_SEALS) {
            throw new IOException(what + " has seals 0x" + Integer.toHexString(seals) + ", not F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL: "
                    + "its sender could change its size under the mapping");
        }
        long size = Syscalls.fileSize(fd.fd());
        if (size < 0) {
            throw Errno.exception((int) size, "fstat", what);
        }
        return size;
    }
}
