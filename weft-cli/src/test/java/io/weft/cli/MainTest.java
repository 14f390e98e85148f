package io.weft.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noCommandPrintsUsageOnStderrAndExits2() {
        assertEquals(2, run());
        assertTrue(err().startsWith("usage: weft <command>"), err());
        assertEquals("", out());
    }

    @Test
    void unknownCommandPrintsUsageOnStderrAndExits2() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().startsWith("weft: unknown command 'frobnicate'\nusage: weft <command>"), err());
        assertEquals("", out());
    }

    @Test
    void badDemoOptionPrintsTheReasonAndUsageAndExits2() {
        assertEquals(2, run("demo", "--connections", "0"));
        assertTrue(err().startsWith("weft demo: option '--connections' must be between 1 and 100000, not 0\nusage:"), err());
        assertEquals("", out());
    }

    @Test
    void badPingPongOptionExits2() {
        assertEquals(2, run("pingpong", "--rounds", "many"));
        assertTrue(err().startsWith("weft pingpong: option '--rounds' takes a whole number"), err());
    }

    @Test
    void serveNeedsAProtocolAndValidOptions() {
        assertEquals(2, run("serve"));
        assertTrue(err().startsWith("weft serve: serve needs a protocol: 'serve http'"), err());
        assertEquals(2, run("serve", "http", "--port", "70000"));
        assertTrue(err().contains("option '--port' must be between 0 and 65535, not 70000"), err());
        assertEquals(2, run("serve", "http", "--backend", "carrier-pigeon"));
    }

    @Test
    void badSoakOptionsExit2WithoutRunning() {
        assertEquals(2, run("soak", "--backend", "io_uring,kqueue"));
        assertTrue(err().startsWith("weft soak: option '--backend' takes a comma-separated list of io_uring, epoll, nio, not 'kqueue'\nusage:"), err());
        assertEquals(2, run("soak", "--connections", "0"));
        assertEquals(2, run("soak", "--scenarios", "chaos", "extra"));
        assertEquals("", out());
    }

    @Test
    void helpGoesToStdoutAndExits0() {
        assertEquals(0, run("help"));
        assertEquals(0, run("demo", "--help"));
        assertTrue(out().contains("demo [--seconds N] [--connections N] [--size BYTES] [--backend auto|io_uring|epoll|nio]"), out());
        assertTrue(out().contains("pingpong [--rounds N] [--runs N]"), out());
        assertTrue(out().contains("soak [--seconds N] [--connections N] [--backend io_uring,epoll,nio] [--scenarios connections,shutdown,chaos]"), out());
        assertEquals("", err());
    }
}
