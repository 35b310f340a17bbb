package io.github.quarkuspeer.runtime;

import java.util.Optional;
import java.util.OptionalLong;

import io.github.quarkuspeer.Peer;

/**
 * The {@code isolated} kind: a fixed answer, which holds from start to stop. A leading isolated peer has the
 * fencing token 1, since its leadership never changes hands.
 */
final class IsolatedPeer implements Peer {

    static final long TOKEN = 1;

    private final String instance;
    private final String node;
    private final boolean leader;
    private final Optional<String> self;
    private volatile boolean running;

    IsolatedPeer(String instance, String node, boolean leader) {
        this.instance = instance;
        this.node = node;
        this.leader = leader;
        this.self = Optional.of(node);
    }

    /** Starts answering; returns whether this peer now leads. */
    boolean start() {
        running = true;
        return leader;
    }

    /** Stops answering; returns whether this peer led until now. */
    boolean stop() {
        boolean wasLeading = running && leader;
        running = false;
        return wasLeading;
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public boolean isLeader() {
        return leader && running;
    }

    @Override
    public Optional<String> getLeader() {
        return isLeader() ? self : Optional.empty();
    }

    @Override
    public OptionalLong fencingToken() {
        return isLeader() ? OptionalLong.of(TOKEN) : OptionalLong.empty();
    }
}
