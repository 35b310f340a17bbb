package io.github.quarkuspeer.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
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

import org.jboss.logging.Logger;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.Peers;
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
public class PeerManager implements Peers {

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

    PeerManager(PeerSetup setup, PeerBuildTimeConfig buildConfig, PeerRuntimeConfig runtimeConfig, Vertx vertx,
            Scheduler scheduler, @Any Event<LeadershipChanged> events, @Any Instance<PeerEngine> available) {
        this.scheduler = scheduler;
        Map<PeerKind, PeerEngine> byKind = new EnumMap<>(PeerKind.class);
        for (PeerEngine engine : available) {
            byKind.put(engine.kind(), engine);
        }
        for (String name : setup.instances()) {
            InstanceSettings instance = InstanceSettings.resolve(name, setup.datasources().get(name),
                    buildConfig.instances().get(name), runtimeConfig.instances().get(name),
                    runtimeConfig.instances().get(Peer.DEFAULT_INSTANCE));
            PeerEngine engine = byKind.get(instance.kind());
            if (engine == null) {
                throw new ConfigurationException(ConfigKeys.key(name, "kind") + "="
                        + instance.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + " is not available in this application"
                        + (instance.kind() == PeerKind.GLOBAL ? ": it needs the quarkus-peer-global extension; add the "
                                + "dependency io.github.quarkuspeer:quarkus-peer-global" : ""));
            }
            engines.put(instance.kind(), engine);
            Delivery delivery = new Delivery(vertx.getOrCreateContext(), events, name);
            settings.put(name, instance);
            deliveries.put(name, delivery);
            peers.put(name, engine.add(instance, delivery));
        }
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

    /** Every instance as its engine runs it, for the adapters (health checks, metrics, Dev UI). */
    public Map<String, ManagedPeer> managed() {
        return Collections.unmodifiableMap(peers);
    }

    /** Delivers one instance's events to CDI observers, in order, on a worker thread. */
    static final class Delivery implements Election.Listener {

        private final Context context;
        private final Event<LeadershipChanged> events;
        private final String instance;
        private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

        Delivery(Context context, Event<LeadershipChanged> events, String instance) {
            this.context = context;
            this.events = events.select(NamedLiteral.of(instance));
            this.instance = instance;
        }

        @Override
        public synchronized void changed(LeadershipChanged event) {
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
