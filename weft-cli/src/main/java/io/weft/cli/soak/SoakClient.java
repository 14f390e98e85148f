package io.weft.cli.soak;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The soak's client process: plain Java (blocking sockets on the JDK's virtual threads),
 * started by the soak in a JVM of its own so that client and server each have their own
 * descriptor limit and neither's threads or collections disturb the other's figures.
 *
 * <p>It reads one command per line on standard input, runs it, answers on standard
 * output (see {@link ClientOutput}) ending with {@code end}, and exits at {@code quit} or
 * at the end of its input, which is also what happens when the soak process dies.
 *
 * <pre>
 * connections PORT N SECONDS      see {@link ConnectionsLoad}
 * shutdown PORT N MAX_SECONDS     see {@link ShutdownLoad}
 * chaos PORT N SECONDS SEED       see {@link ChaosLoad}
 * quit
 * </pre>
 */
public final class SoakClient {
    private SoakClient() {
    }

    public static void main(String[] args) throws Exception {
        ClientOutput out = new ClientOutput(new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.strip().split("\\s+");
            try {
                switch (w[0]) {
                    case "connections" -> new ConnectionsLoad(number(w, 2), number(w, 3)).run(number(w, 1), out);
                    case "shutdown" -> new ShutdownLoad(number(w, 2), number(w, 3)).run(number(w, 1), out);
                    case "chaos" -> new ChaosLoad(number(w, 2), number(w, 3), number(w, 4)).run(number(w, 1), out);
                    case "quit" -> {
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown command '" + line + "'");
                }
            } catch (IllegalArgumentException e) {
                out.line("error command 1");
                out.line("errmsg command " + e.getMessage());
            }
            out.line("end");
        }
    }

    private static int number(String[] words, int i) {
        if (i >= words.length) {
            throw new IllegalArgumentException("'" + words[0] + "' needs " + i + " numbers");
        }
        try {
            return Integer.parseInt(words[i]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + words[0] + "': '" + words[i] + "' is not a number");
        }
    }
}
