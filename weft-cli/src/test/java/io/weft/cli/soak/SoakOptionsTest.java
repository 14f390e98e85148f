package io.weft.cli.soak;

import io.weft.cli.UsageException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SoakOptionsTest {

    @Test
    void defaultsAreTheFullSoak() throws UsageException {
        SoakOptions o = SoakOptions.parse(new String[0]);
        assertEquals(new SoakOptions(60, 10_000, List.of("io_uring", "epoll", "nio"), List.of("connections", "shutdown", "chaos")), o);
        assertEquals(1_000, o.behaviourConnections());
        assertEquals(5, o.shutdownLoadSeconds());
        assertEquals(15, o.chaosSeconds());
    }

    @Test
    void listsKeepTheirOrderAndTheSmallRunsStayAboveTheirFloors() throws UsageException {
        SoakOptions o = SoakOptions.parse(new String[] {"--backend", "nio,epoll", "--scenarios=chaos", "--seconds", "2", "--connections", "300"});
        assertEquals(List.of("nio", "epoll"), o.backends());
        assertEquals(List.of("chaos"), o.scenarios());
        assertEquals(300, o.behaviourConnections());
        assertEquals(1, o.shutdownLoadSeconds());
        assertEquals(2, o.chaosSeconds());
        assertEquals("./weft soak --seconds 2 --connections 300 --backend nio,epoll --scenarios chaos", o.commandLine());
    }

    @Test
    void badListsAndNumbersAreUsageErrors() {
        assertEquals("option '--backend' takes a comma-separated list of io_uring, epoll, nio, not 'kqueue'",
                assertThrows(UsageException.class, () -> SoakOptions.parse(new String[] {"--backend", "nio,kqueue"})).getMessage());
        assertEquals("option '--scenarios' names 'chaos' twice",
                assertThrows(UsageException.class, () -> SoakOptions.parse(new String[] {"--scenarios", "chaos,chaos"})).getMessage());
        assertEquals("option '--scenarios' takes a comma-separated list of connections, shutdown, chaos, not ''",
                assertThrows(UsageException.class, () -> SoakOptions.parse(new String[] {"--scenarios", ""})).getMessage());
        assertEquals("option '--seconds' must be between 2 and 3600, not 1",
                assertThrows(UsageException.class, () -> SoakOptions.parse(new String[] {"--seconds", "1"})).getMessage());
    }
}
