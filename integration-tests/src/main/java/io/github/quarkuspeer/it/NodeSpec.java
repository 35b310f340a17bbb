package io.github.quarkuspeer.it;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to start one node: its name, and what sets it apart from the cluster's other nodes.
 *
 * <pre>{@code
 * cluster.start(NodeSpec.named("late").withWallClockShift(Duration.ofMinutes(-10)));
 * cluster.start(NodeSpec.named("observer").withProperty("quarkus.peer.candidate", "false"));
 * }</pre>
 *
 * @param name the node name ({@code quarkus.peer.node}); several nodes may share one
 * @param wallClockShift how far the node's wall clock is moved from the host's; zero for a true clock
 * @param properties system properties for this node only, applied after the cluster's own
 * @param host the address its HTTP server binds and the harness asks it on
 * @param commandPrefix what runs the node's {@code java} command, such as {@code ip netns exec ns1}; empty for none
 */
public record NodeSpec(String name, Duration wallClockShift, Map<String, String> properties, String host,
        List<String> commandPrefix) {

    public NodeSpec {
        properties = Map.copyOf(properties);
        commandPrefix = List.copyOf(commandPrefix);
    }

    /** A node with this name and nothing else special. */
    public static NodeSpec named(String name) {
        return new NodeSpec(name, Duration.ZERO, Map.of(), "127.0.0.1", List.of());
    }

    /**
     * The same node run inside the network namespace {@code namespace} ({@code ip netns exec}), answering HTTP on
     * {@code host}, an address of that namespace that the harness reaches.
     */
    public NodeSpec inNetworkNamespace(String namespace, String host) {
        return new NodeSpec(name, wallClockShift, properties, host, List.of("ip", "netns", "exec", namespace));
    }

    /**
     * The same node with its wall clock ({@code System.currentTimeMillis}, {@code Instant.now}) moved by
     * {@code shift}, and its monotonic clock ({@code System.nanoTime}) left true. Precision: milliseconds.
     */
    public NodeSpec withWallClockShift(Duration shift) {
        return new NodeSpec(name, shift, properties, host, commandPrefix);
    }

    /** The same node with one more system property, e.g. a configuration key of the demo or the extension. */
    public NodeSpec withProperty(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(properties);
        more.put(key, value);
        return new NodeSpec(name, wallClockShift, more, host, commandPrefix);
    }
}
