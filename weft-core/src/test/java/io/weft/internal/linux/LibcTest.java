package io.weft.internal.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LibcTest {

    @Test
    void failureReturnsNegativeErrno() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            assertEquals(-Errno.EBADF, Libc.close(cs, -1));
            assertEquals(-Errno.EBADF, Libc.read(cs, -1, arena.allocate(8)));
            assertEquals(-Errno.EINVAL, Libc.socket(cs, Libc.AF_INET, 12345, 0));
        }
    }

    @Test
    void eventfdCountsSignalsAndReadsIntoHeapSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            int efd = Libc.eventfd(cs, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            assertTrue(efd >= 0, "eventfd: " + Errno.name(efd));
            try {
                long[] value = new long[1];
                MemorySegment heap = MemorySegment.ofArray(value);
                assertEquals(-Errno.EAGAIN, Libc.read(cs, efd, heap));
                assertEquals(0, Libc.eventfdSignal(efd));
                assertEquals(0, Libc.eventfdSignal(efd));
                assertEquals(8, Libc.read(cs, efd, heap));
                assertEquals(2, value[0]);
                value[0] = 5;
                assertEquals(8, Libc.write(cs, efd, heap));
                assertEquals(8, Libc.read(cs, efd, heap));
                assertEquals(5, value[0]);
            } finally {
                assertEquals(0, Libc.close(cs, efd));
            }
        }
    }

    @Test
    void epollReportsTheTokenOfAReadyFd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            int ep = Libc.epollCreate1(cs, Libc.EPOLL_CLOEXEC);
            int efd = Libc.eventfd(cs, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            assertTrue(ep >= 0 && efd >= 0);
            try {
                MemorySegment ev = arena.allocate(EpollEventLayout.SIZE * 4);
                EpollEventLayout.set(ev, 0, Libc.EPOLLIN | Libc.EPOLLET, 0x1234_5678_9abcL);
                assertEquals(0, Libc.epollCtl(cs, ep, Libc.EPOLL_CTL_ADD, efd, ev));
                assertEquals(-Errno.EEXIST, Libc.epollCtl(cs, ep, Libc.EPOLL_CTL_ADD, efd, ev));
                assertEquals(0, Libc.epollWait(cs, ep, ev, 4, 0));
                Libc.eventfdSignal(efd);
                assertEquals(1, Libc.epollWait(cs, ep, ev, 4, 10_000));
                assertEquals(0x1234_5678_9abcL, EpollEventLayout.data(ev, 0));
                assertTrue((EpollEventLayout.events(ev, 0) & Libc.EPOLLIN) != 0);
                // Edge-triggered: nothing new happened, so no second report.
                assertEquals(0, Libc.epollWait(cs, ep, ev, 4, 0));
            } finally {
                Libc.close(cs, efd);
                Libc.close(cs, ep);
            }
        }
    }

    @Test
    void variadicSyscallReachesTheKernel() {
        long getpid = switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> 39;
            case "aarch64", "riscv64" -> 172;
            default -> -1;
        };
        assumeTrue(getpid > 0, "no getpid number for this architecture");
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(ProcessHandle.current().pid(), Libc.syscall(Libc.newCallState(arena), getpid, 0, 0, 0));
        }
    }

    @Test
    @SuppressWarnings("restricted")
    void mmapAndMunmapAnonymousMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.newCallState(arena);
            long addr = Libc.mmap(cs, 0, 4096, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
            assertTrue(addr > 0, "mmap: " + Errno.name((int) addr));
            MemorySegment page = MemorySegment.ofAddress(addr).reinterpret(4096);
            page.set(ValueLayout.JAVA_LONG, 4088, 42L);
            assertEquals(42L, page.get(ValueLayout.JAVA_LONG, 4088));
            assertEquals(0, Libc.munmap(cs, addr, 4096));
            assertEquals(-Errno.EINVAL, Libc.mmap(cs, 0, 0, Libc.PROT_READ, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0));
        }
    }
}
