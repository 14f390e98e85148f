package io.weft;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without {@code --add-opens java.base/java.lang}, the runtime still works, on the default scheduler, and says why. */
@Tag("mode-independent")
@Timeout(60)
class SchedulerFallbackTest {

    @Test
    void withoutAddOpensTasksRunOnTheDefaultSchedulerAndTheLogSaysWhy() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Child.class.getName()))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("mode=DEFAULT slept=true"), out);
        assertTrue(out.contains("WARNING"), "the fallback is logged as a warning: " + out);
        assertTrue(out.contains("add-opens"), "the log names the missing flag: " + out);
    }

    public static final class Child {
        public static void main(String[] args) throws Exception {
            String r = Weft.run(() -> {
                Weft.sleep(Duration.ofMillis(5));
                return "mode=" + Weft.runtime().schedulerMode() + " slept=true";
            });
            System.out.println(r);
        }
    }
}
