package io.weft.bench.ipc;

import io.weft.bench.echo.EchoServerMain;

import java.nio.file.Path;
import java.util.List;

/**
 * The process that runs one contender's responder, started by the IPC harness (pinned to
 * the responder's core). It speaks {@link EchoServerMain}'s protocol: one line
 * {@code PORT <port> <info>} once the channels are open (port 0 for all but
 * {@code tcp-loopback}), or {@code UNAVAILABLE <reason>}; it serves until its standard
 * input ends. The system property {@value #DIR_PROPERTY} names the directory (under
 * /dev/shm) that holds the run's files: rings, socket file, Aeron's driver directory.
 */
public final class IpcResponderMain {
    private IpcResponderMain() {
    }

    static final String DIR_PROPERTY = "weft.bench.ipc.dir";

    public static void main(String[] args) throws Exception {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null) {
            System.err.println("IpcResponderMain: -D" + DIR_PROPERTY + "=DIR is required");
            System.exit(2);
        }
        List<String> ids = IpcContender.ids().stream().filter(id -> !IpcContender.byId(id).inProcess()).toList();
        EchoServerMain.serve("IpcResponderMain", args, ids, id -> Transports.responder(IpcContender.byId(id), Path.of(dir)));
    }
}
