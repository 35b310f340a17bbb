package io.github.quarkuspeer.demo;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.Peers;

/**
 * This node's view of every instance, as JSON, for tools that watch a cluster of demo nodes.
 * <p>
 * Besides leadership it answers with the process id and {@link System#nanoTime()} at the moment of answering, so a
 * watcher on the same machine can tell processes apart and order the answers of several nodes.
 */
@Path("/peers")
public class PeersResource {

    /** One instance as this node sees it; {@code leaderNode} and {@code fencingToken} are {@code null} when absent. */
    public record InstanceView(String instance, String node, boolean leader, String leaderNode, Long fencingToken) {
    }

    /** The answer: this node, its process, when it answered, and every instance. */
    public record NodeView(String node, long pid, long nanoTime, List<InstanceView> instances) {
    }

    @Inject
    Peer peer;

    @Inject
    Peers peers;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public NodeView get() {
        List<InstanceView> instances = peers.all().stream().map(PeersResource::view).toList();
        return new NodeView(peer.node(), ProcessHandle.current().pid(), System.nanoTime(), instances);
    }

    private static InstanceView view(Peer peer) {
        Long token = peer.fencingToken().isPresent() ? peer.fencingToken().getAsLong() : null;
        return new InstanceView(peer.instance(), peer.node(), peer.isLeader(), peer.getLeader().orElse(null), token);
    }
}
