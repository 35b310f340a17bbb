package io.github.quarkuspeer.runtime;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

import io.agroal.api.AgroalDataSource;
import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.Peers;
import io.github.quarkuspeer.runtime.database.Dialect;
import io.github.quarkuspeer.runtime.database.JdbcLeaseStore;
import io.github.quarkuspeer.runtime.database.PostgresListener;
import io.github.quarkuspeer.runtime.database.Schema;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * Owns every peer of the application: builds them from the configuration, starts them when the application has
 * started, and releases them when it stops.
 * <p>
 * The release runs on {@link ShutdownEvent}, ahead of the application's own observers: it is the last moment at
 * which the datasources and every bean are certainly alive (ArC destroys application-scoped beans, datasources
 * included, before singletons). {@link PreDestroy} only repeats it, for a container torn down without that event.
 */
@Singleton
public class PeerManager implements Peers {

    private static final Logger LOG = Logger.getLogger(PeerManager.class);
    private static final long FIRST_ROUND_WAIT_MILLIS = 5_000;
    private static final long RELEASE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long DELIVERY_WAIT_MILLIS = 5_000;

    /** The state of one instance on this node. */
    public record Managed(InstanceSettings settings, Peer peer, Election election, IsolatedPeer isolated,
            Delivery delivery) {

        public PeerKind kind() {
            return settings.kind();
        }
    }

    /** The lease table of one datasource, shared by the instances that use it. */
    private record TableStore(String datasource, AgroalDataSource dataSource, JdbcLeaseStore store,
            SchemaManagement schemaManagement, List<Election> elections) {
    }

    private final Map<String, Managed> peers = new LinkedHashMap<>();
    private final Map<String, TableStore> stores = new LinkedHashMap<>();
    private final List<PostgresListener> listeners = new ArrayList<>();
    private final List<String> jobs = new ArrayList<>();
    private final Vertx vertx;
    private final Scheduler scheduler;
    private WorkerExecutor listenerExecutor;
    private boolean started;
    private boolean stopped;

    PeerManager(PeerSetup setup, PeerBuildTimeConfig buildConfig, PeerRuntimeConfig runtimeConfig, Vertx vertx,
            Scheduler scheduler, @Any Event<LeadershipChanged> events, Instance<ClaimListener> claimListeners) {
        ClaimListener claims = claimListeners.isResolvable() ? claimListeners.get() : ClaimListener.NONE;
        this.vertx = vertx;
        this.scheduler = scheduler;
        for (String name : setup.instances()) {
            InstanceSettings settings = InstanceSettings.resolve(name, setup.datasources().get(name),
                    buildConfig.instances().get(name), runtimeConfig.instances().get(name),
                    runtimeConfig.instances().get(Peer.DEFAULT_INSTANCE));
            Delivery delivery = new Delivery(vertx.getOrCreateContext(), events, name);
            peers.put(name, switch (settings.kind()) {
                case ISOLATED -> isolated(settings, delivery);
                case DATABASE -> database(settings, setup, delivery, claims);
                case GLOBAL -> throw new ConfigurationException(ConfigKeys.key(name, "kind")
                        + "=global needs the quarkus-peer-global extension on the classpath");
            });
        }
    }

    private static Managed isolated(InstanceSettings settings, Delivery delivery) {
        IsolatedPeer peer = new IsolatedPeer(settings.instance(), settings.node(), settings.isolatedLeader());
        return new Managed(settings, peer, null, peer, delivery);
    }

    private Managed database(InstanceSettings settings, PeerSetup setup, Delivery delivery, ClaimListener claims) {
        TableStore table = stores.computeIfAbsent(settings.datasource(), name -> openStore(settings, setup));
        Context context = vertx.getOrCreateContext();
        Election election = new Election(settings.instance(), settings.node(), settings.candidate(),
                Timing.of(settings.interval(), settings.lease()), table.store(),
                new VertxScheduling(vertx, context), delivery, System::nanoTime);
        election.claimListener(claims);
        table.elections().add(election);
        return new Managed(settings, election, election, null, delivery);
    }

    private TableStore openStore(InstanceSettings settings, PeerSetup setup) {
        String name = settings.datasource();
        AgroalDataSource dataSource;
        try {
            dataSource = AgroalDataSourceUtil.dataSourceIfActive(name).orElseThrow(
                    () -> new ConfigurationException(ConfigKeys.key(settings.instance(), "datasource") + "=" + name
                            + " is invalid: that datasource is not active"));
        } catch (RuntimeException e) {
            if (e instanceof ConfigurationException) {
                throw e;
            }
            throw new ConfigurationException(ConfigKeys.key(settings.instance(), "datasource") + "=" + name
                    + " is invalid: " + e.getMessage(), e);
        }
        Dialect dialect = Dialect.forDbKind(setup.dbKinds().get(name));
        // A round must fail rather than hang, well inside the shortest lease on this table.
        Duration timeout = clamp(settings.lease().dividedBy(2), Duration.ofSeconds(1), Duration.ofSeconds(10));
        JdbcLeaseStore store = new JdbcLeaseStore(dataSource, dialect, settings.table(), timeout);
        return new TableStore(name, dataSource, store, settings.schemaManagement(), new ArrayList<>());
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
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

    /** Prepares the tables, starts listening, runs every instance's first round and schedules the periodic ones. */
    synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        boolean reachable = true;
        for (TableStore table : stores.values()) {
            reachable &= prepare(table);
            if (table.store().dialect().notifiesRelease()) {
                listen(table);
            }
        }
        List<CompletableFuture<Void>> firstRounds = new ArrayList<>();
        for (Managed managed : peers.values()) {
            if (managed.isolated() != null) {
                if (managed.isolated().start()) {
                    announce(managed, true, LeadershipChanged.Reason.ELECTED);
                }
            } else {
                firstRounds.add(managed.election().start());
                schedulePeriodicCheck(managed);
            }
        }
        if (!reachable) {
            return; // no use waiting for rounds that cannot succeed yet
        }
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

    /**
     * Creates or validates the table. A table that is missing or wrong under {@code validate} fails the start; a
     * database that cannot be reached does not: the step runs again before the first round that reaches it.
     *
     * @return whether the database could be reached
     */
    private boolean prepare(TableStore table) {
        JdbcLeaseStore store = table.store();
        JdbcLeaseStore.SchemaWork work = switch (table.schemaManagement()) {
            case CREATE -> () -> Schema.create(table.dataSource(), store.dialect(), store.table());
            case VALIDATE -> () -> Schema.validate(table.dataSource(), store.dialect(), store.table());
            case NONE -> () -> {
            };
        };
        try {
            work.run();
            return true;
        } catch (SQLException e) {
            LOG.warnf("Quarkus Peer: could not %s table %s on datasource %s at start (%s); elections will retry",
                    table.schemaManagement().name().toLowerCase(Locale.ROOT), store.table(), table.datasource(),
                    e.getMessage());
            store.beforeFirstStatement(work);
            return false;
        }
    }

    private void listen(TableStore table) {
        if (listenerExecutor == null) {
            listenerExecutor = vertx.createSharedWorkerExecutor("quarkus-peer-listener", stores.size(),
                    Long.MAX_VALUE / 2, TimeUnit.NANOSECONDS);
        }
        PostgresListener listener = new PostgresListener(table.dataSource(),
                Dialect.channelOf(table.store().table()),
                instance -> {
                    Managed managed = peers.get(instance);
                    if (managed != null && managed.election() != null
                            && table.elections().contains(managed.election())) {
                        managed.election().wake(true);
                    }
                },
                () -> table.elections().forEach(e -> e.wake(true)));
        WorkerExecutor executor = listenerExecutor;
        listener.start(task -> executor.executeBlocking(() -> {
            task.run();
            return null;
        }, false));
        listeners.add(listener);
    }

    private void schedulePeriodicCheck(Managed managed) {
        Election election = managed.election();
        String identity = "quarkus-peer:" + managed.settings().instance();
        long every = Math.max(1, managed.settings().interval().toSeconds());
        long slack = Math.max(TimeUnit.SECONDS.toNanos(1), election.timing().renewPeriodNanos());
        try {
            scheduler.newJob(identity)
                    .setInterval(every + "s")
                    .setConcurrentExecution(ConcurrentExecution.SKIP)
                    .setTask(execution -> election.wakeIfOverdue(slack))
                    .schedule();
            jobs.add(identity);
        } catch (RuntimeException e) {
            // quarkus.scheduler.enabled=false: the election's own timers carry on alone.
            LOG.debugf("Quarkus Peer: no periodic check for instance %s (%s)", managed.settings().instance(),
                    e.getMessage());
        }
    }

    /**
     * Releases every instance this node leads, so that another node takes over at once, and stops all elections.
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
        for (Managed managed : peers.values()) {
            if (managed.election() != null) {
                managed.election().release(RELEASE_WAIT_NANOS);
            } else if (managed.isolated().stop()) {
                announce(managed, false, LeadershipChanged.Reason.RESIGNED);
            }
        }
        listeners.forEach(PostgresListener::close);
        for (Managed managed : peers.values()) {
            managed.delivery().awaitDelivered(DELIVERY_WAIT_MILLIS);
        }
        if (listenerExecutor != null) {
            listenerExecutor.close();
        }
    }

    private static void announce(Managed managed, boolean leader, LeadershipChanged.Reason reason) {
        InstanceSettings s = managed.settings();
        LOG.infof("Quarkus Peer: node %s %s instance %s (fencing token %d, %s)", s.node(),
                leader ? "leads" : "no longer leads", s.instance(), IsolatedPeer.TOKEN, reason);
        managed.delivery().changed(new LeadershipChanged(s.instance(), s.node(), leader, IsolatedPeer.TOKEN, reason));
    }

    @Override
    public Peer get(String instance) {
        Managed managed = peers.get(instance);
        if (managed == null) {
            throw new NoSuchElementException("No Quarkus Peer instance named '" + instance + "'; configured: "
                    + peers.keySet());
        }
        return managed.peer();
    }

    @Override
    public Collection<Peer> all() {
        return peers.values().stream().map(Managed::peer).toList();
    }

    /** Every instance with its settings and state, for health checks and diagnostics. */
    public Map<String, Managed> managed() {
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
