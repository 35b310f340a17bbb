package io.github.quarkuspeer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private network for partitions of real processes: each member in a network namespace of its own with two links,
 * one to a bridge that carries the group's traffic (its Raft address, {@code 10.199.0.<i>}), which a test cuts and
 * heals, and one to a bridge that carries the harness's HTTP requests ({@code 10.199.1.<i>}, reached from this
 * namespace at {@code 10.199.1.254}), which stays up so that the harness can watch both sides of a partition.
 *
 * <pre>{@code
 * try (NetworkNamespaces net = NetworkNamespaces.create(List.of("n1", "n2", "n3"))) {
 *     cluster.start(NodeSpec.named("n1").inNetworkNamespace(net.namespace("n1"), net.httpHost("n1")));
 *     net.cut("n1");   // n1 reaches nobody, nobody reaches n1
 *     net.heal("n1");
 * }
 * }</pre>
 *
 * Needs root and {@code ip} (iproute2). Every name it makes starts with {@value #PREFIX}; whatever an earlier run left
 * with that prefix is removed before and after, so a failed run leaves nothing behind once the next one has run, and
 * {@link #close()} removes everything, also from a JVM shutdown hook.
 */
public final class NetworkNamespaces implements AutoCloseable {

    static final String PREFIX = "qpg";
    private static final String CLUSTER_BRIDGE = PREFIX + "-br0";
    private static final String HTTP_BRIDGE = PREFIX + "-br1";

    private final Map<String, Integer> members = new LinkedHashMap<>();
    private final Thread cleanup = new Thread(NetworkNamespaces::removeAll, "network-namespaces-cleanup");
    private boolean closed;

    private NetworkNamespaces(List<String> names) {
        for (String name : names) {
            members.put(name, members.size() + 1);
        }
    }

    /** Whether this process may make namespaces: it runs as root and {@code ip} works. */
    public static boolean available() {
        try {
            return "0".equals(output("id", "-u").strip()) && run(List.of("ip", "-V")).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Makes the bridges and one namespace per member. */
    public static NetworkNamespaces create(List<String> names) {
        if (names.size() > 200) {
            throw new IllegalArgumentException("at most 200 members");
        }
        removeAll();
        NetworkNamespaces net = new NetworkNamespaces(names);
        Runtime.getRuntime().addShutdownHook(net.cleanup);
        try {
            ip("link", "add", CLUSTER_BRIDGE, "type", "bridge");
            ip("link", "set", CLUSTER_BRIDGE, "up");
            ip("link", "add", HTTP_BRIDGE, "type", "bridge");
            ip("addr", "add", "10.199.1.254/24", "dev", HTTP_BRIDGE);
            ip("link", "set", HTTP_BRIDGE, "up");
            for (int i : net.members.values()) {
                String ns = PREFIX + "-ns" + i;
                ip("netns", "add", ns);
                ip("-n", ns, "link", "set", "lo", "up");
                link(ns, PREFIX + "-c" + i, CLUSTER_BRIDGE, "10.199.0." + i);
                link(ns, PREFIX + "-m" + i, HTTP_BRIDGE, "10.199.1." + i);
            }
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /** A veth pair: {@code name} on {@code bridge} here, {@code name + "x"} with {@code address} in the namespace. */
    private static void link(String ns, String name, String bridge, String address) {
        ip("link", "add", name, "type", "veth", "peer", "name", name + "x");
        ip("link", "set", name + "x", "netns", ns);
        ip("link", "set", name, "master", bridge);
        ip("link", "set", name, "up");
        ip("-n", ns, "addr", "add", address + "/24", "dev", name + "x");
        ip("-n", ns, "link", "set", name + "x", "up");
    }

    /** The namespace a member runs in. */
    public String namespace(String member) {
        return PREFIX + "-ns" + index(member);
    }

    /** The member's address on the group's network. */
    public String raftHost(String member) {
        return "10.199.0." + index(member);
    }

    /** The member's address for the harness's HTTP requests. */
    public String httpHost(String member) {
        return "10.199.1." + index(member);
    }

    /** Every member's address on the group's network. */
    public Map<String, String> raftHosts() {
        Map<String, String> hosts = new LinkedHashMap<>();
        members.keySet().forEach(member -> hosts.put(member, raftHost(member)));
        return hosts;
    }

    /** Cuts the member off the group's network: nothing passes either way until {@link #heal}. */
    public void cut(String member) {
        ip("link", "set", PREFIX + "-c" + index(member), "down");
    }

    /** Connects the member to the group's network again. */
    public void heal(String member) {
        ip("link", "set", PREFIX + "-c" + index(member), "up");
    }

    private int index(String member) {
        Integer index = members.get(member);
        if (index == null) {
            throw new IllegalArgumentException("no member " + member + " in " + members.keySet());
        }
        return index;
    }

    /** Removes the namespaces, the links and the bridges. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    /** Removes everything with the prefix: namespaces (their links go with them), then the links and bridges here. */
    static void removeAll() {
        for (String line : run(List.of("ip", "netns", "list")).lines().toList()) {
            String ns = line.split(" ")[0];
            if (ns.startsWith(PREFIX + "-")) {
                run(List.of("ip", "netns", "del", ns));
            }
        }
        for (String line : run(List.of("ip", "-o", "link", "show")).lines().toList()) {
            String[] fields = line.split(": ");
            if (fields.length > 1) {
                String name = fields[1].split("@")[0];
                if (name.startsWith(PREFIX + "-")) {
                    run(List.of("ip", "link", "del", name));
                }
            }
        }
    }

    private static void ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        String failure = run(command);
        if (!failure.isEmpty()) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + failure);
        }
    }

    /** Runs a command; returns its output if it failed, or the output of a listing, else an empty string. */
    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "timed out";
            }
            boolean listing = command.contains("list") || command.contains("show");
            return process.exitValue() != 0 ? "exit " + process.exitValue() + ": " + output
                    : listing ? output : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    private static String output(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
