package io.github.quarkuspeer.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code isolated} kind: a fixed answer, which holds from start to stop. A leading isolated peer has the
 * fencing token 1, since its leadership never changes hands.
 */
final class IsolatedPeer implements ManagedPeer {

    static final long TOKEN = 1;

    private final InstanceSettings settings;
    private final boolean leader;
    private final Optional<String> self;
    private volatile boolean running;

    IsolatedPeer(InstanceSettings settings) {
        this.settings = settings;
        this.leader = settings.isolatedLeader();
        this.self = Optional.of(settings.node());
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
        return settings.instance();
    }

    @Override
    public String node() {
        return settings.node();
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

    @Override
    public PeerStatus status() {
        boolean leads = isLeader();
        return new PeerStatus(instance(), PeerKind.ISOLATED, node(), leads, getLeader(), fencingToken(),
                Optional.empty(), settings.lease(), Duration.ZERO, Optional.empty());
    }
}
