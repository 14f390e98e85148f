package io.weft.bench;

import io.weft.bench.echo.Contender;
import io.weft.bench.echo.EchoOptions;
import io.weft.bench.micro.MicroBench;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {

    private static Options parse(String... args) {
        return Options.parse(args, Set.of("seconds", "contenders", "rate"), Set.of("quick"));
    }

    @Test
    void valuesComeSeparateOrAfterAnEqualsSign() {
        Options o = parse("--seconds", "3", "--rate=1500.5", "--quick");
        assertEquals(3, o.intValue("seconds", 10, 1));
        assertEquals(1500.5, o.doubleValue("rate", 0, 0));
        assertTrue(o.flag("quick"));
    }

    @Test
    void absentOptionsTakeTheirDefault() {
        Options o = parse();
        assertEquals(10, o.intValue("seconds", 10, 1));
        assertFalse(o.flag("quick"));
        assertEquals(List.of("a"), o.list("contenders", List.of("a")));
    }

    @Test
    void theLastOfARepeatedOptionWins() {
        assertEquals(5, parse("--seconds", "3", "--seconds", "5").intValue("seconds", 10, 1));
    }

    @Test
    void listsAreCommaSeparated() {
        assertEquals(List.of("weft-nio", "netty-epoll"), parse("--contenders", "weft-nio, netty-epoll,").list("contenders", List.of()));
    }

    @Test
    void mistakesAreReportedByName() {
        assertMessage("unknown option --secs", () -> parse("--secs", "3"));
        assertMessage("--seconds needs a value", () -> parse("--seconds"));
        assertMessage("--seconds needs a value", () -> parse("--seconds", "--quick"));
        assertMessage("--quick takes no value", () -> parse("--quick=yes"));
        assertMessage("unexpected argument 'echo'", () -> parse("echo"));
        assertMessage("--seconds must be a whole number", () -> parse("--seconds", "x").intValue("seconds", 1, 1));
        assertMessage("--seconds must be at least 1", () -> parse("--seconds", "0").intValue("seconds", 1, 1));
        assertMessage("--rate must be a number", () -> parse("--rate", "fast").doubleValue("rate", 1, 0));
        assertMessage("--rate must be at least 0", () -> parse("--rate", "-1").doubleValue("rate", 1, 0));
        assertMessage("--contenders needs at least one name", () -> parse("--contenders", ",").list("contenders", List.of()));
    }

    @Test
    void selectedOptionsCanBePassedOn() {
        Options o = Options.parse(new String[] {"--seconds", "3", "--forks", "2", "--quick"},
                Set.of("seconds", "forks"), Set.of("quick"));
        List<String> echoPart = o.toArgs(Set.of("seconds", "quick"));
        assertEquals(List.of("--seconds=3", "--quick"), echoPart);
        Options again = Options.parse(echoPart.toArray(String[]::new), Set.of("seconds"), Set.of("quick"));
        assertEquals(3, again.intValue("seconds", 0, 0));
        assertTrue(again.flag("quick"));
    }

    @Test
    void echoDefaultsAreThoseOfTheIssue() {
        EchoOptions e = EchoOptions.from(Options.parse(new String[0], EchoOptions.VALUED, EchoOptions.FLAGS), Path.of("out"));
        assertEquals(64, e.connections());
        assertEquals(64, e.size());
        assertEquals(10, e.seconds());
        assertEquals(3, e.runs());
        assertEquals(1, e.pipeline());
        assertEquals(40_000, e.rate());
        assertEquals(Contender.ids(), e.contenders().stream().map(Contender::id).toList());
        assertTrue(e.pin());
        assertEquals(0, e.serverCpu());
        assertEquals(1, e.loadgenCpu());
        assertEquals(Path.of("out"), e.out());
    }

    @Test
    void echoOptionsParse() {
        EchoOptions e = EchoOptions.from(Options.parse(new String[] {"--quick", "--runs", "2", "--contenders", "weft-nio,jdk-platform-threads",
                "--pipeline", "8", "--no-pin", "--out", "/tmp/x"}, EchoOptions.VALUED, EchoOptions.FLAGS), Path.of("out"));
        assertEquals(2, e.seconds());
        assertEquals(2, e.runs());
        assertEquals(8, e.pipeline());
        assertEquals(List.of(Contender.WEFT_NIO, Contender.JDK_PLATFORM_THREADS), e.contenders());
        assertFalse(e.pin());
        assertEquals(Path.of("/tmp/x"), e.out());
    }

    @Test
    void echoOptionsRejectNonsense() {
        assertMessage("unknown contender 'weft-kqueue'", () -> echo("--contenders", "weft-kqueue"));
        assertMessage("names one contender twice", () -> echo("--contenders", "weft-nio,weft-nio"));
        assertMessage("must differ", () -> echo("--server-cpu", "1", "--loadgen-cpu", "1"));
        assertMessage("--connections must be at least 1", () -> echo("--connections", "0"));
    }

    @Test
    void microQuickModeIsShort() {
        MicroBench.Settings s = MicroBench.Settings.from(
                Options.parse(new String[] {"--quick", "--include", "SpawnJoin"}, MicroBench.VALUED, MicroBench.FLAGS), Path.of("out"));
        assertEquals(1, s.forks());
        assertEquals(1, s.warmupIterations());
        assertEquals(2, s.iterations());
        assertEquals(0.5, s.iterationSeconds());
        assertTrue(s.plannedSeconds() < 60);
    }

    private static EchoOptions echo(String... args) {
        return EchoOptions.from(Options.parse(args, EchoOptions.VALUED, EchoOptions.FLAGS), Path.of("out"));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(part), () -> "message '" + x.getMessage() + "' lacks '" + part + "'");
    }
}
