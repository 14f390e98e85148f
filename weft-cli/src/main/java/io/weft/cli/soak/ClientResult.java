package io.weft.cli.soak;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the soak client reported for one command (see {@link ClientOutput} for the lines). */
final class ClientResult {

    final Map<String, Long> stats = new LinkedHashMap<>();
    final ErrorTally errors = new ErrorTally();
    final List<Ledger.ClientReport> connections = new ArrayList<>();
    /** Error kind of each shutdown-scenario connection, by connection id; null for none. */
    final Map<Integer, String> endings = new LinkedHashMap<>();
    int connected = -1;

    /** Takes one line of output; a line it does not understand is itself an error. */
    void accept(String line) {
        String[] w = line.split(" ", 6);
        try {
            switch (w[0]) {
                case "connected" -> connected = Integer.parseInt(w[1]);
                case "holding", "loaded" -> {
                    // progress markers: the soak waits for them with ClientProcess.until
                }
                case "stat" -> stats.put(w[1], Long.parseLong(w[2]));
                case "error" -> errors.add(w[1], Long.parseLong(w[2]), List.of());
                case "errmsg" -> errors.add(w[1], 0, List.of(line.substring(("errmsg " + w[1] + " ").length())));
                case "conn" -> {
                    int id = Integer.parseInt(w[1]);
                    String kind = w[4].equals("-") ? null : w[4];
                    String message = w.length > 5 ? w[5] : "";
                    connections.add(new Ledger.ClientReport(id, Long.parseLong(w[2]), Long.parseLong(w[3]),
                            kind == null ? null : kind + ": " + message));
                    endings.put(id, kind);
                }
                default -> errors.add("client output", "unexpected line '" + line + "'");
            }
        } catch (RuntimeException e) {
            errors.add("client output", "malformed line '" + line + "': " + e);
        }
    }

    long stat(String name) {
        return stats.getOrDefault(name, 0L);
    }
}
