package io.github.quarkuspeer.runtime.devui;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import jakarta.inject.Inject;

import io.github.quarkuspeer.runtime.PeerManager;
import io.github.quarkuspeer.runtime.PeerStatus;
import io.smallrye.mutiny.Multi;

/**
 * The Dev UI's back end: the instances as this node sees them, once or every second, and the "resign" action. The
 * build registers it only in dev mode, so none of it, the action least of all, exists in production (SPEC 9).
 */
public class PeerJsonRpcService {

    /** How often the page's stream sends the instances: the lease left changes all the time. */
    static final Duration EVERY = Duration.ofSeconds(1);

    /**
     * One instance as the page shows it; absent values are {@code null}.
     *
     * @param instance the instance name
     * @param kind the kind it runs as
     * @param node this node's name
     * @param leader whether this node leads
     * @param leaderNode the node that leads, as last observed
     * @param fencingToken the token of this node's term, while it leads
     * @param leaseLeftMillis how long this node still leads by its local deadline, while it leads
     * @param lastError the error of the last failed election, while they fail
     * @param canResign whether the resign action applies to it (see {@link io.github.quarkuspeer.runtime.ManagedPeer#canResign()})
     */
    public record InstanceView(String instance, String kind, String node, boolean leader, String leaderNode,
            Long fencingToken, Long leaseLeftMillis, String lastError, boolean canResign) {

        static InstanceView of(PeerStatus status, boolean canResign) {
            return new InstanceView(status.instance(), status.kind().name().toLowerCase(Locale.ROOT), status.node(),
                    status.leader(), status.leaderNode().orElse(null),
                    status.fencingToken().isPresent() ? status.fencingToken().getAsLong() : null,
                    status.leaseLeft().map(Duration::toMillis).orElse(null), status.lastError().orElse(null),
                    canResign);
        }
    }

    @Inject
    PeerManager manager;

    /** Every instance, now. */
    public List<InstanceView> getInstances() {
        return manager.statuses().stream().map(s -> InstanceView.of(s, manager.canResign(s.instance()))).toList();
    }

    /** Every instance, every second, for as long as the page listens. */
    public Multi<List<InstanceView>> streamInstances() {
        return Multi.createFrom().ticks().every(EVERY).map(tick -> getInstances());
    }

    /**
     * Gives up this node's leadership of an instance and runs for it again under a new identity: another node that
     * hears of the release may win, otherwise this node wins again with a greater fencing token.
     *
     * @return the instances after the resignation began
     */
    public List<InstanceView> resign(String instance) {
        manager.resign(instance);
        return getInstances();
    }
}
