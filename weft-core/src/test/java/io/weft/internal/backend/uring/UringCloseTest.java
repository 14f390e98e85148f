package io.weft.internal.backend.uring;

import io.weft.internal.backend.FileOps;
import io.weft.internal.backend.TestLoop;
import io.weft.internal.linux.Libc;
import io.weft.internal.wait.Op;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@link UringBackend#close()} does with a read the kernel holds: a read of an empty
 * FIFO, parked in the kernel, into native memory the caller owns. Once the op has returned
 * to its caller, nothing may write into that memory any more.
 */
@Tag("mode-independent") // drives the backend directly, no tasks: runs once
@Timeout(60)
class UringCloseTest {

    static UringProbe.Support support;

    @BeforeAll
    static void probe() {
        support = UringTesting.probeOrSkip();
    }

    @TempDir
    Path dir;

    private Arena arena;
    private MemorySegment cs;
    private int readerFd = -1;
    private int writerFd = -1;

    @BeforeEach
    void openFifo() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0,
                "mkfifo failed: " + new String(p.getInputStream().readAllBytes()));
        arena = Arena.ofShared();
        cs = Libc.newCallState(arena);
        MemorySegment path = arena.allocateFrom(fifo.toString());
        // O_RDWR: opening a FIFO this way does not wait for a writer (Linux). Blocking, so
        // that the ring parks the read until data comes.
        readerFd = Libc.open(cs, path, Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        assertTrue(readerFd >= 0, "open reader: errno " + Libc.errno(cs));
        writerFd = Libc.open(cs, path, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        assertTrue(writerFd >= 0, "open writer: errno " + Libc.errno(cs));
    }

    @AfterEach
    void closeFifo() {
        if (readerFd >= 0) {
            Libc.close(cs, readerFd);
        }
        if (writerFd >= 0) {
            Libc.close(cs, writerFd);
        }
        arena.close();
    }

    /** Writes {@code text} into the FIFO, as a writer that wakes up late would. */
    private void writeToFifo(String text) {
        try (Arena a = Arena.ofConfined()) {
            long n = Libc.write(cs, writerFd, a.allocateFrom(text));
            assertTrue(n > 0, "write to the FIFO: errno " + Libc.errno(cs));
        }
    }

    private static boolean untouched(MemorySegment buf) {
        for (long i = 0; i < buf.byteSize(); i++) {
            if (buf.get(ValueLayout.JAVA_BYTE, i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The FIFO's handle: releasing it (which happens as its last op returns to the caller)
     * writes into the FIFO, so any read the kernel still had armed at that moment would
     * take those bytes into the caller's memory.
     */
    private final class FifoHandle extends FileOps.FileHandle {
        boolean released;

        @Override
        public int fd() {
            return readerFd;
        }

        @Override
        protected void closeNow() {
            released = true;
            writeToFifo("written as the op returned");
        }
    }

    private FileOps.Read parkedRead(UringBackend backend, FifoHandle handle, MemorySegment buf) throws IOException {
        FileOps.Read read = new FileOps.Read(handle, buf, 0);
        assertTrue(read.submitTo(backend));
        backend.poll(0); // the read reaches the kernel, which parks it: the FIFO is empty
        assertFalse(read.isDone(), "the read waits for data: " + read);
        handle.close(); // cancels the read; the handle is released when the read returns
        return read;
    }

    @Test
    void aReadTheKernelCancelsAtCloseReturnsAndItsMemoryIsNotWrittenAfterwards() throws Exception {
        TestLoop loop = new TestLoop();
        UringBackend backend = new UringBackend(loop, support, UringBackend.Config.DEFAULT);
        loop.backend = backend;
        MemorySegment buf = arena.allocate(64);
        FifoHandle handle = new FifoHandle();
        FileOps.Read read = parkedRead(backend, handle, buf);

        backend.close();

        assertTrue(read.isDone(), "the kernel cancelled the read within the drain, so it returned");
        assertEquals(Op.CANCELLED, read.result());
        assertTrue(handle.released, "the read's return released the handle, which wrote into the FIFO");
        writeToFifo("written after close returned");
        assertTrue(untouched(buf), "the caller's memory was written after its read returned");
    }

    @Test
    void aReadTheKernelStillHoldsWhenTheDrainEndsIsNotHandedBack() throws Exception {
        TestLoop loop = new TestLoop();
        // No drain: close() gives up on the read while the kernel still has it parked, as
        // it does after the real drain for a read the kernel does not cancel in time.
        UringBackend backend = new UringBackend(loop, support, UringBackend.Config.DEFAULT.withCloseDrain(0));
        loop.backend = backend;
        MemorySegment buf = arena.allocate(64);
        FifoHandle handle = new FifoHandle();
        FileOps.Read read = parkedRead(backend, handle, buf);

        backend.close();

        assertTrue(untouched(buf), "the caller's memory was written while close() handed its read back");
        assertFalse(read.isDone(), "a read the kernel may still complete was handed back to its caller");
        assertFalse(handle.released);
        writeToFifo("written after close returned");
        assertTrue(untouched(buf), "the ring was torn down, so the kernel no longer reads the FIFO into the caller's memory");
    }
}
