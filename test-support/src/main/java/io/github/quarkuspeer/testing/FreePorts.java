package io.github.quarkuspeer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers that tests start: free when picked, below the kernel's range of ephemeral ports, and never the
 * same twice in one JVM.
 * <p>
 * A port the kernel hands out for {@code bind(0)} comes from the ephemeral range, the same range outgoing connections
 * take their local ports from: between the pick and the server's own bind, any client's connection (JGroups members
 * connecting to each other, a pool opening connections) may take it, and the server fails to start. Ports below that
 * range are never taken by an outgoing connection.
 */
public final class FreePorts {

    private static final int LOWEST = 10_000;
    private static final Set<Integer> PICKED = new HashSet<>();

    private FreePorts() {
    }

    /** A port on the loopback interface that nothing listens on now, and that this JVM has not picked before. */
    public static synchronized int pick() {
        int highest = ephemeralLow() - 1;
        for (int attempt = 0; attempt < 1_000 && highest > LOWEST; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
            if (!PICKED.contains(port) && free(port)) {
                PICKED.add(port);
                return port;
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PICKED.add(socket.getLocalPort());
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port", e);
        }
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of Linux's ephemeral range, or 32768 where it cannot be read. */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
