package io.github.quarkuspeer.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.Peers;
import io.github.quarkuspeer.runtime.PeerRuntimeConfig.InstanceRuntimeConfig;
import io.github.quarkuspeer.runtime.election.Decisions.Outcome;
import io.github.quarkuspeer.runtime.election.Election;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Owns every peer of the application: builds each instance with the {@link PeerEngine} of its kind, starts the
 * engines when the application has started, and stops them when it stops. It knows nothing of how a kind elects.
 * <p>
 * The stop runs on {@link ShutdownEvent}, ahead of the application's own observers: it is the last moment at which
 * the datasources and every bean are certainly alive (ArC destroys application-scoped beans, datasources included,
 * before singletons). {@link PreDestroy} only repeats it, for a container torn down without that event.
 */
@Singleton
public class PeerManager implements Peers, PeerStatuses {

    private static final Logger LOG = Logger.getLogger(PeerManager.class);
    private static final long FIRST_ROUND_WAIT_MILLIS = 5_000;
    private static final long DELIVERY_WAIT_MILLIS = 5_000;

    private final Map<String, ManagedPeer> peers = new LinkedHashMap<>();
    private final Map<String, InstanceSettings> settings = new LinkedHashMap<>();
    private final Map<String, Delivery> deliveries = new LinkedHashMap<>();
    private final Map<PeerKind, PeerEngine> engines = new EnumMap<>(PeerKind.class);
    private final List<String> jobs = new ArrayList<>();
    private final Scheduler scheduler;
    private boolean started;
    private boolean stopped;

    PeerManager(PeerSetup setup, PeerRuntimeConfig runtimeConfig, Vertx vertx, Scheduler scheduler,
            @Any Event<LeadershipChanged> events, @Any Instance<PeerEngine> available,
            @Any Instance<PeerObserver> observers) {
        this.scheduler = scheduler;
        Map<PeerKind, PeerEngine> byKind = new EnumMap<>(PeerKind.class);
        for (PeerEngine engine : available) {
            byKind.put(engine.kind(), engine);
        }
        warnOfUnknownInstances(setup);
        // every mistake at once, each naming its key, rather than one per start
        List<String> errors = new ArrayList<>();
        InstanceRuntimeConfig defaults = runtimeConfig.instances().get(Peer.DEFAULT_INSTANCE);
        List<PeerObserver> observing = observers.stream().toList();
        for (InstancePlan plan : setup.plans()) {
            String name = plan.instance();
            try {
                InstanceSettings instance = InstanceSettings.resolve(plan, runtimeConfig.instances().get(name),
                        defaults);
                PeerEngine engine = byKind.get(instance.kind());
                if (engine == null) {
                    throw new ConfigurationException(ConfigKeys.key(name, "kind") + "="
                            + instance.kind().name().toLowerCase(Locale.ROOT) + " is not available in this application"
                            + (instance.kind() == PeerKind.GLOBAL ? ": it needs the quarkus-peer-global extension; add "
                                    + "the dependency io.github.quarkuspeer:quarkus-peer-global" : ""));
                }
                engines.put(instance.kind(), engine);
                Delivery delivery = new Delivery(vertx.getOrCreateContext(), events, name, observing);
                settings.put(name, instance);
                deliveries.put(name, delivery);
                peers.put(name, engine.add(instance, delivery));
                LOG.infof("Quarkus Peer: instance %s is %s on node %s: %s, interval %s, lease %s", name,
                        instance.kind().name().toLowerCase(Locale.ROOT), instance.node(), engine.describe(instance),
                        ConfigKeys.format(instance.interval()), ConfigKeys.format(instance.lease()));
            } catch (ConfigurationException e) {
                errors.add(e.getMessage());
            }
        }
        if (errors.size() == 1) {
            throw new ConfigurationException(errors.get(0));
        } else if (!errors.isEmpty()) {
            throw new ConfigurationException("Quarkus Peer: " + errors.size() + " configuration errors:\n  - "
                    + String.join("\n  - ", errors));
        }
        observing.forEach(observer -> observer.started(statuses()));
    }

    /**
     * Warns once of each instance that run-time keys name but the build did not make: a typo such as
     * {@code quarkus.peer."biling".interval} would otherwise be ignored in silence.
     */
    private static void warnOfUnknownInstances(PeerSetup setup) {
        Set<String> known = new TreeSet<>();
        setup.plans().forEach(plan -> known.add(plan.instance()));
        Map<String, Set<String>> unknown = new TreeMap<>();
        for (String property : ConfigProvider.getConfig().getPropertyNames()) {
            ConfigKeys.instanceOf(property).filter(instance -> !known.contains(instance))
                    .ifPresent(instance -> unknown.computeIfAbsent(instance, i -> new TreeSet<>()).add(property));
        }
        unknown.forEach((instance, keys) -> LOG.warnf("Quarkus Peer: %s %s no instance of this application, and %s "
                + "ignored; its instances are %s. An instance is declared when the application is built",
                String.join(", ", keys), keys.size() == 1 ? "names" : "name", keys.size() == 1 ? "is" : "are",
                known));
    }

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) StartupEvent event) {
        start();
    }

    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stop();
    }

    @PreDestroy
    void destroy() {
        stop();
    }

    /** Starts every engine, schedules the periodic checks, and waits a little for the first rounds. */
    synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        List<CompletableFuture<Void>> firstRounds = new ArrayList<>();
        for (PeerEngine engine : engines.values()) {
            firstRounds.add(engine.start());
        }
        peers.forEach(this::schedulePeriodicCheck);
        try {
            // so that a node that can lead does so by the time the application is up
            CompletableFuture.allOf(firstRounds.toArray(CompletableFuture[]::new))
                    .get(FIRST_ROUND_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.debug("Quarkus Peer: first rounds still running; the application starts without waiting");
        } catch (Exception e) {
            LOG.debug("Quarkus Peer: waiting for first rounds failed", e);
        }
    }

    private void schedulePeriodicCheck(String instance, ManagedPeer peer) {
        String identity = "quarkus-peer:" + instance;
        long every = Math.max(1, settings.get(instance).interval().toSeconds());
        try {
            scheduler.newJob(identity)
                    .setInterval(every + "s")
                    .setConcurrentExecution(ConcurrentExecution.SKIP)
                    .setTask(execution -> peer.tick())
                    .schedule();
            jobs.add(identity);
        } catch (RuntimeException e) {
            // quarkus.scheduler.enabled=false: the elections' own timers carry on alone.
            LOG.debugf("Quarkus Peer: no periodic check for instance %s (%s)", instance, e.getMessage());
        }
    }

    /**
     * Stops every engine: each releases the instances this node leads, so that another node takes over at once.
     */
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (String job : jobs) {
            try {
                scheduler.unscheduleJob(job);
            } catch (RuntimeException e) {
                LOG.debugf("Quarkus Peer: could not unschedule %s (%s)", job, e.getMessage());
            }
        }
        if (started) {
            for (PeerEngine engine : engines.values()) {
                engine.stop();
            }
        }
        for (Delivery delivery : deliveries.values()) {
            delivery.awaitDelivered(DELIVERY_WAIT_MILLIS);
        }
    }

    @Override
    public Peer get(String instance) {
        ManagedPeer peer = peers.get(instance);
        if (peer == null) {
            throw new NoSuchElementException("No Quarkus Peer instance named '" + instance + "'; configured: "
                    + peers.keySet());
        }
        return peer;
    }

    @Override
    public Collection<Peer> all() {
        return List.copyOf(peers.values());
    }

    @Override
    public PeerStatus status(String instance) {
        ManagedPeer peer = peers.get(instance);
        if (peer == null) {
            throw new NoSuchElementException("No Quarkus Peer instance named '" + instance + "'; configured: "
                    + peers.keySet());
        }
        return peer.status();
    }

    @Override
    public List<PeerStatus> statuses() {
        return peers.values().stream().map(ManagedPeer::status).toList();
    }

    /** Whether the Dev UI's resign action applies to {@code instance}. */
    public boolean canResign(String instance) {
        return ((ManagedPeer) get(instance)).canResign();
    }

    /**
     * Gives up this node's leadership of an instance and runs for it again (see {@link ManagedPeer#resign()}). The
     * Dev UI's action: only the Dev UI, which exists in dev mode alone, calls it.
     *
     * @throws NoSuchElementException if the application has no instance of that name
     * @throws UnsupportedOperationException if the instance's kind has a fixed answer
     */
    public void resign(String instance) {
        ManagedPeer peer = (ManagedPeer) get(instance);
        LOG.infof("Quarkus Peer: node %s resigns instance %s, as asked in the Dev UI", peer.node(), instance);
        peer.resign();
    }

    /**
     * Delivers one instance's events to CDI observers, in order, on a worker thread; tells the
     * {@link PeerObserver}s of each round and change at once.
     */
    static final class Delivery implements Election.Listener {

        private final Context context;
        private final Event<LeadershipChanged> events;
        private final String instance;
        private final List<PeerObserver> observers;
        private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

        Delivery(Context context, Event<LeadershipChanged> events, String instance, List<PeerObserver> observers) {
            this.context = context;
            this.events = events.select(NamedLiteral.of(instance));
            this.instance = instance;
            this.observers = observers;
        }

        @Override
        public void round(Outcome outcome, long tookNanos) {
            for (PeerObserver observer : observers) {
                observer.round(instance, outcome, tookNanos);
            }
        }

        @Override
        public synchronized void changed(LeadershipChanged event) {
            for (PeerObserver observer : observers) {
                observer.changed(event);
            }
            try {
                last = context.executeBlocking(() -> {
                    fire(event);
                    return (Void) null;
                }, true).toCompletionStage().toCompletableFuture();
            } catch (RuntimeException e) {
                // Vert.x is closing: deliver here rather than lose the event.
                fire(event);
            }
        }

        private void fire(LeadershipChanged event) {
            try {
                events.fire(event);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Quarkus Peer: an observer of %s failed for instance %s", event.reason(), instance);
            }
        }

        void awaitDelivered(long millis) {
            CompletableFuture<Void> pending;
            synchronized (this) {
                pending = last;
            }
            try {
                pending.get(millis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.debugf("Quarkus Peer: events of instance %s not all delivered (%s)", instance, e.toString());
            }
        }
    }
}
