package io.weft.internal.backend.uring;

import io.weft.internal.backend.BackendUnavailableException;
import io.weft.internal.backend.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code auto} passes over io_uring when no ring can be set up, and says why. */
@Tag("mode-independent") // drives the backend directly, no tasks: runs once
class UringFallbackTest {

    @AfterEach
    void clear() {
        System.clearProperty(UringProbe.FAIL_SETUP_PROPERTY);
    }

    @Test
    void autoChoosesIoUringWhenARingCanBeSetUp() throws Exception {
        try {
            UringProbe.probe();
        } catch (BackendUnavailableException e) {
            assumeTrue(false, "io_uring unavailable: " + e.getMessage());
        }
        Backends.Choice choice = Backends.choose("auto");
        assertEquals("io_uring", choice.provider().name());
        assertEquals("auto", choice.reason());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "EPERM             | seccomp",
            "ENOMEM            | RLIMIT_MEMLOCK",
            "ENOSYS            | CONFIG_IO_URING",
            "io_uring_disabled | /proc/sys/kernel/io_uring_disabled=2",
    })
    void autoFallsBackAndNamesTheCause(String failure, String cause) throws Exception {
        System.setProperty(UringProbe.FAIL_SETUP_PROPERTY, failure);

        Backends.Choice choice = Backends.choose("auto");

        assertNotEquals("io_uring", choice.provider().name());
        assertTrue(choice.reason().contains("io_uring unavailable"), choice.reason());
        assertTrue(choice.reason().contains(cause), choice.reason());

        BackendUnavailableException named = assertThrows(BackendUnavailableException.class,
                () -> Backends.choose("io_uring"));
        assertTrue(named.getMessage().contains(cause), named.getMessage());
    }
}
