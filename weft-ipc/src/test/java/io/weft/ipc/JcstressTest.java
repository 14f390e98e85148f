package io.weft.ipc;

import io.weft.testing.Jcstress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the rings' jcstress tests (the *Stress classes here: publication, slot reuse, wrap
 * and padding, abort, and the doorbells for records and space, on futex words and on
 * eventfds, and past a vow never to sleep) through {@link Jcstress}. A longer run, about
 * 15 minutes on two busy cores:
 * <pre>
 * mvn -B -ntp -pl weft-ipc -am test -Dtest=JcstressTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djunit.jupiter.execution.timeout.mode=disabled \
 *     -Dweft.jcstress.mode=default -Dweft.jcstress.options='-fsm 1 -iters 2 -sc false'
 * </pre>
 * With the split-compilation matrix as well (no {@code -sc false}) that run takes about 30
 * minutes; without the options, {@code default} about 90; {@code tough} and
 * {@code stress} longer still.
 */
@Tag("mode-independent") // no tasks: runs once
@Timeout(300)
class JcstressTest {

    @Test
    void noForbiddenOutcomeInTheRingsMemoryOrdering() throws Exception {
        Jcstress.runAndCheck("io.weft.ipc", 9);
    }
}
