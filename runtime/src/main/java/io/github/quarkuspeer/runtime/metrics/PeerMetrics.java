package io.github.quarkuspeer.runtime.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.PeerObserver;
import io.github.quarkuspeer.runtime.PeerStatus;
import io.github.quarkuspeer.runtime.PeerStatuses;
import io.github.quarkuspeer.runtime.election.Decisions.Outcome;
import io.quarkus.runtime.metrics.MetricsFactory;

/**
 * The meters of each instance, through Quarkus' own metrics SPI ({@link MetricsFactory}), so that no Micrometer
 * class is referenced here; the build registers this bean only when {@code quarkus-micrometer} is present.
 * <ul>
 * <li>{@code peer.leader}: a gauge, 1 while this node leads the instance, else 0;</li>
 * <li>{@code peer.election}: a timer of the election rounds, tagged {@code outcome}: {@code won},
 * {@code renewed}, {@code following} (this node did not lead after the round) or {@code failed};</li>
 * <li>{@code peer.leadership.changes}: a counter of this node's changes of leadership, tagged {@code reason}:
 * {@code elected}, {@code lost}, {@code resigned};</li>
 * <li>{@code peer.fencing.token}: a gauge, the token of this node's term while it leads, else NaN.</li>
 * </ul>
 * Every meter is tagged {@code peer.instance} (not {@code instance}, which Prometheus gives the scrape target) and
 * {@code kind}. The gauges read {@link PeerStatus}; the timer and counter hear the elections
 * ({@link PeerObserver}). Quarkus binds the meters ({@link #bind}) at a moment of its own, possibly after the first
 * rounds: those are kept and recorded then.
 */
@Singleton
public class PeerMetrics implements PeerObserver {

    /** The rounds kept until the meters exist: the first ones, a handful per instance. */
    private static final int MAX_EARLY_ROUNDS = 1_000;

    private record EarlyRound(String instance, Outcome outcome, long tookNanos) {
    }

    private final Instance<PeerStatuses> statuses;
    private final Map<String, Map<Reason, AtomicLong>> changes = new ConcurrentHashMap<>();
    private volatile Map<String, Map<Outcome, MetricsFactory.TimeRecorder>> timers;
    // guarded by this
    private MetricsFactory factory;
    private List<PeerStatus> instances;
    private final List<EarlyRound> early = new ArrayList<>();

    PeerMetrics(Instance<PeerStatuses> statuses) {
        this.statuses = statuses;
    }

    /** Registers the meters with Quarkus' metrics, once the instances are known. */
    public synchronized void bind(MetricsFactory factory) {
        this.factory = factory;
        register();
    }

    @Override
    public synchronized void started(List<PeerStatus> instances) {
        this.instances = List.copyOf(instances);
        register();
    }

    // guarded by this
    private void register() {
        if (factory == null || instances == null || timers != null) {
            return;
        }
        Map<String, Map<Outcome, MetricsFactory.TimeRecorder>> built = new ConcurrentHashMap<>();
        for (PeerStatus instance : instances) {
            String name = instance.instance();
            String kind = instance.kind().name().toLowerCase(Locale.ROOT);
            factory.builder("peer.leader").description("1 while this node leads the instance, else 0")
                    .tag("peer.instance", name).tag("kind", kind)
                    .buildGauge(() -> status(name).leader() ? 1 : 0);
            factory.builder("peer.fencing.token")
                    .description("The fencing token of this node's term while it leads the instance, else NaN")
                    .tag("peer.instance", name).tag("kind", kind)
                    .buildGauge(() -> {
                        PeerStatus status = status(name);
                        return status.fencingToken().isPresent() ? status.fencingToken().getAsLong() : Double.NaN;
                    });
            for (Reason reason : Reason.values()) {
                AtomicLong count = counter(name, reason);
                factory.builder("peer.leadership.changes")
                        .description("Changes of this node's leadership of the instance, by reason")
                        .tag("peer.instance", name).tag("kind", kind)
                        .tag("reason", reason.name().toLowerCase(Locale.ROOT)).buildCounter(count::get);
            }
            Map<Outcome, MetricsFactory.TimeRecorder> byOutcome = new EnumMap<>(Outcome.class);
            Map<String, MetricsFactory.TimeRecorder> byTag = new java.util.HashMap<>();
            for (Outcome outcome : Outcome.values()) {
                byOutcome.put(outcome, byTag.computeIfAbsent(tag(outcome), tag -> factory.builder("peer.election")
                        .description("Election rounds of the instance, by outcome").unit("seconds")
                        .tag("peer.instance", name).tag("kind", kind).tag("outcome", tag).buildTimer()));
            }
            built.put(name, byOutcome);
        }
        timers = built;
        early.forEach(round -> record(round.instance(), round.outcome(), round.tookNanos()));
        early.clear();
    }

    /** The tag of an outcome: whether this node won, renewed, did not lead after the round, or failed. */
    static String tag(Outcome outcome) {
        return switch (outcome) {
            case WON -> "won";
            case RENEWED -> "renewed";
            case FOLLOWING, VACANT, AGAIN -> "following";
            case LATE, FAILED -> "failed";
        };
    }

    private PeerStatus status(String instance) {
        return statuses.get().status(instance);
    }

    private AtomicLong counter(String instance, Reason reason) {
        return changes.computeIfAbsent(instance, i -> new ConcurrentHashMap<>())
                .computeIfAbsent(reason, r -> new AtomicLong());
    }

    @Override
    public void round(String instance, Outcome outcome, long tookNanos) {
        if (timers == null) {
            synchronized (this) {
                if (timers == null) {
                    if (early.size() < MAX_EARLY_ROUNDS) {
                        early.add(new EarlyRound(instance, outcome, tookNanos));
                    }
                    return;
                }
            }
        }
        record(instance, outcome, tookNanos);
    }

    private void record(String instance, Outcome outcome, long tookNanos) {
        Map<Outcome, MetricsFactory.TimeRecorder> byOutcome = timers.get(instance);
        if (byOutcome != null) {
            byOutcome.get(outcome).update(tookNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void changed(LeadershipChanged event) {
        counter(event.instance(), event.reason()).incrementAndGet();
    }
}
