package io.weft.cli.soak;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * What the soak client tells the soak process, one line at a time on its standard output:
 *
 * <pre>
 * connected N                   every connect has been tried; N succeeded
 * holding | loaded              the work has started
 * stat NAME VALUE               a counter
 * error KIND COUNT              errors of one kind (KIND has no blanks: they become '_')
 * errmsg KIND MESSAGE           one of the first messages of that kind
 * conn ID SENT ACKED KIND MSG   one connection of the shutdown scenario (KIND '-' for no error)
 * end                           the command is done
 * </pre>
 *
 * Messages are single lines: line breaks in them become blanks.
 */
final class ClientOutput {

    private final PrintStream out;

    ClientOutput(PrintStream out) {
        this.out = out;
    }

    synchronized void line(String s) {
        out.println(s.replace('\n', ' ').replace('\r', ' '));
        out.flush();
    }

    void stat(String name, long value) {
        line("stat " + name + " " + value);
    }

    void errors(ErrorTally errors) {
        Map<String, List<String>> first = errors.firstMessages();
        errors.counts().forEach((kind, n) -> {
            String k = token(kind);
            line("error " + k + " " + n);
            for (String m : first.getOrDefault(kind, List.of())) {
                line("errmsg " + k + " " + m);
            }
        });
    }

    static String token(String s) {
        return s.isBlank() ? "-" : s.strip().replaceAll("\\s+", "_");
    }
}
