package io.weft.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's examples are the compiled examples, word for word, so neither can drift. */
class ReadmeExampleTest {

    @Test
    void quickStartShowsTheCompiledExample() throws IOException {
        assertShown("## Quick start", "EchoServerExample.java");
    }

    @Test
    void httpSectionShowsTheCompiledExample() throws IOException {
        assertShown("## HTTP server", "HttpServerExample.java");
    }

    private static void assertShown(String section, String file) throws IOException {
        // Surefire runs in the module's directory.
        String readme = Files.readString(Path.of("..", "README.md"));
        String example = Files.readString(Path.of("src/main/java/io/weft/cli/examples/" + file));

        String fence = "```java\n";
        assertTrue(readme.contains(section), "README has no section " + section);
        int start = readme.indexOf(fence, readme.indexOf(section));
        assertTrue(start >= 0, "README has no java block under '" + section + "'");
        start += fence.length();
        String shown = readme.substring(start, readme.indexOf("```", start));

        String packageLine = "package io.weft.cli.examples;\n\n";
        assertTrue(example.startsWith(packageLine));
        assertEquals(example.substring(packageLine.length()), shown);
    }
}
