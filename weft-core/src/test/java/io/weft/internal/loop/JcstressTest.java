package io.weft.internal.loop;

import io.weft.testing.Jcstress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs the loop's jcstress tests (the *Stress classes here: the wake state's spin and sleep
 * transitions) through {@link Jcstress}, whose Javadoc says how to run them longer.
 */
@Tag("mode-independent") // no tasks: runs once
class JcstressTest {

    @Test
    void noForbiddenOutcomeInTheWakeUpProtocol() throws Exception {
        Jcstress.runAndCheck("io.weft.internal.loop", 1);
    }
}
