package io.weft.cli;

import io.weft.Runtime;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Short demo runs on the nio backend: behaviour only, never a timing. */
class EchoDemoTest {

    private static final PrintStream DISCARD = new PrintStream(PrintStream.nullOutputStream());

    @Test
    void oneSecondOnNioVerifiesEveryEcho() {
        DemoOptions options = new DemoOptions(1, 8, 64, "nio");
        DemoReport report;
        try (Runtime rt = Runtime.builder().backend("nio").loops(2).build()) {
            report = EchoDemo.run(rt, options, DISCARD, false);
        }
        assertEquals("nio", report.backend());
        assertEquals(8, report.clients().size());
        assertTrue(report.messages() > 0, "no message completed");
        assertEquals(0, report.mismatches());
        assertEquals(0, report.failedClients().size(), () -> "failed: " + report.failedClients());
        assertEquals(0, report.serverErrors(), () -> "server: " + report.firstServerError());
        assertEquals(report.messages(), report.latency().getTotalCount());
        assertTrue(report.ok());
    }

    @Test
    void messagesLargerThanTheWindowAreEchoedIntactAndReported() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int size = 3 * EchoClient.WINDOW + 17;
        int code = EchoDemo.execute(new DemoOptions(1, 2, size, "nio"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, () -> report + err.toString(StandardCharsets.UTF_8));
        assertTrue(report.contains("backend:     nio (requested)"), report);
        assertTrue(report.contains("connections: 2, " + size + "-byte messages"), report);
        Matcher verified = Pattern.compile("(?m)^verified: (\\d+) messages, (\\d+) mismatches$").matcher(report);
        assertTrue(verified.find(), report);
        assertTrue(Long.parseLong(verified.group(1)) > 0, report);
        assertEquals("0", verified.group(2));
    }
}
