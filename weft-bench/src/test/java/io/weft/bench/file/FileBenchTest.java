package io.weft.bench.file;

import io.weft.bench.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file benchmark, briefly: behaviour only (it runs, every contender reads, files are written). */
class FileBenchTest {

    static FileBench.Settings settings(String... args) {
        return FileBench.Settings.from(Options.parse(args, FileBench.VALUED, FileBench.FLAGS), Path.of("unused"));
    }

    @Test
    void aShortRunMeasuresEveryContenderAndWritesItsResults(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        FileBench.Settings s = settings("--file-mib", "2", "--seconds", "0.3", "--warmup-seconds", "0.1", "--runs", "1",
                "--concurrency", "1,4", "--dir", tmp.toString(), "--out", out.toString());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Path json;
        try (PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            json = FileBench.run(s, ps);
        }
        System.out.print(text.toString(StandardCharsets.UTF_8));
        String doc = Files.readString(json);
        assertTrue(doc.startsWith("{\n  \"benchmark\": \"file\",\n  \"machine\": {\"cpus\": "), doc);
        for (String c : FileBench.CONTENDERS) {
            for (int conc : List.of(1, 4)) {
                Matcher m = Pattern.compile("\\{\"contender\": \"" + c + "\", \"concurrency\": " + conc
                        + ", (\"ops_per_sec\": ([0-9.]+)|\"skipped\": \"unavailable here[^\"]*\")").matcher(doc);
                assertTrue(m.find(), c + " c=" + conc + " has neither a result nor the reason it was skipped:\n" + doc);
                if (m.group(2) != null) {
                    assertTrue(Double.parseDouble(m.group(2)) > 0, c + " c=" + conc + " read nothing");
                }
            }
        }
        assertTrue(Files.readString(out.resolve("file.svg")).startsWith("<svg"));
        assertFalse(Files.exists(tmp.resolve("weft-bench-file-2m.dat")), "the file is deleted unless --keep-file");
    }

    @Test
    void theFileNamesEachBlocksOffsetSoAMisplacedReadIsCaught(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("blocks");
        FileBench.prepare(f, 1 << 20, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(1 << 20, Files.size(f));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(FileReaders.BLOCK);
            for (long pos = 0; pos < (1 << 20); pos += FileReaders.BLOCK) {
                ch.read(b.clear(), pos);
                assertEquals(pos, b.getLong(0), "block at " + pos);
            }
        }
    }

    @Test
    void badOptionsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings("--file-contenders", "weft-io_uring,netty"));
        assertTrue(e.getMessage().contains("netty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> settings("--concurrency", "1,0"));
        assertTrue(e.getMessage().contains("'0'"), e.getMessage());
        FileBench.Settings q = settings("--quick");
        assertEquals(32, q.fileMib());
        assertEquals(List.of(1, 16), q.concurrency());
    }
}
