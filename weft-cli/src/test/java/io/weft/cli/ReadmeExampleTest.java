package io.weft.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's quick start is the compiled example, word for word, so neither can drift. */
class ReadmeExampleTest {

    @Test
    void quickStartShowsTheCompiledExample() throws IOException {
        // Surefire runs in the module's directory.
        String readme = Files.readString(Path.of("..", "README.md"));
        String example = Files.readString(Path.of("src/main/java/io/weft/cli/examples/EchoServerExample.java"));

        String fence = "```java\n";
        int start = readme.indexOf(fence, readme.indexOf("## Quick start"));
        assertTrue(start >= 0, "README has no java block under 'Quick start'");
        start += fence.length();
        String shown = readme.substring(start, readme.indexOf("```", start));

        String packageLine = "package io.weft.cli.examples;\n\n";
        assertTrue(example.startsWith(packageLine));
        assertEquals(example.substring(packageLine.length()), shown);
    }
}
