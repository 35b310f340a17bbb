package io.github.quarkuspeer.it;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * One node's answer to {@code GET /peers}: its view of every instance at {@code nanoTime}, on the clock that all
 * processes of the host share.
 *
 * @param node the node's name
 * @param pid its process id
 * @param nanoTime {@link System#nanoTime()} in the node when it answered
 * @param instances every instance, as the node sees it
 */
public record PeersView(String node, long pid, long nanoTime, List<InstanceView> instances) {

    /** The instance name of the demo's default instance. */
    public static final String DEFAULT_INSTANCE = "<default>";

    /**
     * One instance as the node sees it.
     *
     * @param leaderNode the leader last observed, {@code null} when none is known
     * @param fencingToken present only while this node leads
     */
    public record InstanceView(String instance, String node, boolean leader, String leaderNode, Long fencingToken) {
    }

    /** The view of one instance; throws if the node has no such instance. */
    public InstanceView instance(String name) {
        return instances.stream().filter(i -> i.instance().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("Node " + node + " has no instance " + name));
    }

    /** Whether this node leads {@code instance}. */
    public boolean leads(String instance) {
        return instance(instance).leader();
    }

    /** Whether this node leads any instance. */
    public boolean leadsAny() {
        return instances.stream().anyMatch(InstanceView::leader);
    }
}
