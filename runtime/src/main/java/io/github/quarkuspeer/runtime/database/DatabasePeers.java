package io.github.quarkuspeer.runtime.database;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import io.github.quarkuspeer.runtime.ConfigKeys;
import io.github.quarkuspeer.runtime.SchemaManagement;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;
import io.github.quarkuspeer.runtime.election.Timing;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The {@code database} kind on one node: the elections of its instances, the lease table each uses (one store per
 * datasource and table, shared by the instances on it), the table's schema step, its {@code LISTEN} connection and
 * the routing of release notifications to the elections they concern. The runtime, the tests and the benchmarks all
 * build their nodes with it.
 * <p>
 * A table's statement timeout follows the shortest lease among the instances that share it: half of it, from 1 s to
 * 10 s; the server bounds the acquire statement at three quarters of that ({@link JdbcLeaseStore#serverTimeoutOf}).
 * Instances that share a table must agree on its {@code schema-management}.
 *
 * <pre>{@code
 * DatabasePeers peers = new DatabasePeers(DatabasePeers.Options.of(() -> scheduling, executor));
 * Election billing = peers.add(new DatabasePeers.Spec("billing", "node-1", true, timing, "<default>", dataSource,
 *         new PostgresDialect(), "quarkus_peers", SchemaManagement.CREATE), listener);
 * peers.start();   // schema, LISTEN, first rounds
 * ...
 * peers.stop();    // releases every lease this node may hold, in parallel, within a bound
 * }</pre>
 */
public final class DatabasePeers {

    private static final Logger LOG = Logger.getLogger(DatabasePeers.class);
    /** Quarkus' default pool acquisition timeout: how long a release may wait for a connection. */
    private static final Duration POOL_WAIT = Duration.ofSeconds(5);

    /**
     * How this node runs its elections.
     *
     * @param scheduling a new scheduling (timers and worker threads) for each election
     * @param listening runs each table's {@code LISTEN} loop, which blocks for as long as the node lives
     * @param notifications whether to listen for releases where the database can notify them
     * @param claims hears every claim of leadership (tests keep histories with it)
     * @param decorator wraps the store each election talks to (tests inject faults with it)
     * @param probeEvery how often a {@code LISTEN} connection is probed; empty: about as often as a follower checks
     *        (the shortest interval on the table), within 5 to 30 seconds
     */
    public record Options(Supplier<Election.Scheduling> scheduling, Executor listening, boolean notifications,
            ClaimListener claims, UnaryOperator<LeaseStore> decorator, Optional<Duration> probeEvery) {

        /** Production options: notifications on, no claim listener, no decorator. */
        public static Options of(Supplier<Election.Scheduling> scheduling, Executor listening) {
            return new Options(scheduling, listening, true, ClaimListener.NONE, UnaryOperator.identity(),
                    Optional.empty());
        }
    }

    /**
     * One instance of the {@code database} kind on this node.
     *
     * @param instance the instance name
     * @param node this node's name
     * @param candidate whether this node may lead
     * @param timing interval and lease
     * @param datasource the datasource's name, for messages
     * @param dataSource where the table lives
     * @param dialect the database's SQL
     * @param table the validated table name
     * @param schemaManagement what to do with the table at start
     * @param notifyDatasource the name of the datasource to listen for released leases on, for messages
     * @param notifyDataSource where to listen for released leases: a connection that reaches the database directly
     *        when {@code dataSource} goes through a pooler in transaction mode; {@code dataSource} itself otherwise
     */
    public record Spec(String instance, String node, boolean candidate, Timing timing, String datasource,
            DataSource dataSource, Dialect dialect, String table, SchemaManagement schemaManagement,
            String notifyDatasource, DataSource notifyDataSource) {

        /** An instance that listens for released leases on the datasource of its table. */
        public Spec(String instance, String node, boolean candidate, Timing timing, String datasource,
                DataSource dataSource, Dialect dialect, String table, SchemaManagement schemaManagement) {
            this(instance, node, candidate, timing, datasource, dataSource, dialect, table, schemaManagement,
                    datasource, dataSource);
        }
    }

    private final Options options;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final List<Election> elections = new ArrayList<>();
    private final Map<Election, Member> members = new IdentityHashMap<>();

    /** What an election was made of, to make another of the same instance. */
    private record Member(Spec spec, Table table, Election.Listener listener) {
    }
    private boolean started;

    public DatabasePeers(Options options) {
        this.options = options;
    }

    /**
     * Adds an instance; its election starts with {@link #start()}.
     *
     * @throws ConfigurationException if the instance's table is shared with an instance that manages it
     *         differently
     */
    public synchronized Election add(Spec spec, Election.Listener listener) {
        if (started) {
            throw new IllegalStateException("instances are added before the start");
        }
        Table table = tables.computeIfAbsent(spec.datasource() + "\u0000" + spec.table(), key -> new Table(spec));
        if (table.schemaManagement != spec.schemaManagement()) {
            throw new ConfigurationException(ConfigKeys.key(spec.instance(), "schema-management") + "="
                    + name(spec.schemaManagement()) + " is invalid: the instance " + table.firstInstance
                    + " shares the table " + spec.table() + " on datasource " + spec.datasource() + " and sets "
                    + ConfigKeys.key(table.firstInstance, "schema-management") + "=" + name(table.schemaManagement)
                    + "; instances that share a table must agree on what is done with it");
        }
        if (!table.notifyDatasource.equals(spec.notifyDatasource())) {
            throw new ConfigurationException(ConfigKeys.key(spec.instance(), "notify-datasource") + "="
                    + spec.notifyDatasource() + " is invalid: the instance " + table.firstInstance
                    + " shares the table " + spec.table() + " on datasource " + spec.datasource()
                    + " and listens for its released leases on datasource " + table.notifyDatasource
                    + "; instances that share a table share its listening connection");
        }
        Election election = newElection(spec, table, listener);
        elections.add(election);
        return election;
    }

    private Election newElection(Spec spec, Table table, Election.Listener listener) {
        Election election = new Election(spec.instance(), spec.node(), spec.candidate(), spec.timing(),
                options.decorator().apply(table), options.scheduling().get(), listener, System::nanoTime);
        election.claimListener(options.claims());
        table.add(election);
        members.put(election, new Member(spec, table, listener));
        return election;
    }

    /**
     * Gives up this node's leadership of an instance and runs for it again, under a new identity: the election is
     * released (its lease deleted, {@code RESIGNED} announced, the other nodes woken where the database notifies),
     * and a new election of the same instance, with a new owner id, starts once the release has ended. Another node
     * that hears of the release may win; otherwise this node wins again, with a greater fencing token. The Dev UI's
     * action, in dev mode only.
     *
     * @return the new election
     */
    public synchronized Election resign(Election current) {
        Member member = members.remove(current);
        if (member == null || !started) {
            throw new IllegalStateException("instance " + current.instance() + " is not running here");
        }
        Table table = member.table();
        table.remove(current);
        Election fresh = newElection(member.spec(), table, member.listener());
        elections.set(elections.indexOf(current), fresh);
        current.release().whenComplete((event, failure) -> fresh.start());
        return fresh;
    }

    private static String name(SchemaManagement management) {
        return management.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Prepares every table (creates or validates it), starts listening where the database notifies releases, and
     * starts every election.
     *
     * @return completes once every election has ended its first round, at once if a table could not be reached
     *         (no use waiting for rounds that cannot succeed yet)
     * @throws Schema.InvalidSchemaException if a table that must be validated is missing or wrong
     */
    public synchronized CompletableFuture<Void> start() {
        started = true;
        boolean reachable = true;
        for (Table table : tables.values()) {
            reachable &= table.open();
        }
        List<CompletableFuture<Void>> firstRounds = new ArrayList<>();
        for (Election election : elections) {
            firstRounds.add(election.start());
        }
        return reachable ? CompletableFuture.allOf(firstRounds.toArray(CompletableFuture[]::new))
                : CompletableFuture.completedFuture(null);
    }

    /**
     * Releases every instance, all at once, so that other nodes take over at once, and stops listening. Returns
     * when every release has ended, or after a bound: three statement timeouts of the slowest table (a statement in
     * flight, the delete and its retry) plus a pool's wait for a connection.
     */
    public void stop() {
        List<CompletableFuture<?>> releases = new ArrayList<>();
        Duration bound = POOL_WAIT;
        synchronized (this) {
            for (Election election : elections) {
                releases.add(election.release());
            }
            for (Table table : tables.values()) {
                Duration three = table.clientTimeout().multipliedBy(3).plus(POOL_WAIT);
                bound = three.compareTo(bound) > 0 ? three : bound;
            }
        }
        try {
            CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).get(bound.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("Quarkus Peer: releasing the leases took longer than %d ms; the rest expire by themselves",
                    bound.toMillis());
        } catch (Exception e) {
            LOG.debugf("Quarkus Peer: waiting for the releases failed (%s)", e.toString());
        }
        for (Table table : tables.values()) {
            table.close();
        }
    }

    /** The elections, in the order they were added. */
    public synchronized List<Election> elections() {
        return List.copyOf(elections);
    }

    /**
     * The store of a table as this node uses it, for tests that drive statements directly.
     *
     * @return the store, once {@link #start()} has opened it
     */
    public synchronized Optional<JdbcLeaseStore> store(String datasource, String table) {
        Table found = tables.get(datasource + "\u0000" + table);
        return found == null ? Optional.empty() : Optional.ofNullable(found.store);
    }

    /** Whether the {@code LISTEN} connection of a table is listening now (false where there is none). */
    public synchronized boolean listening(String datasource, String table) {
        Table found = tables.get(datasource + "\u0000" + table);
        return found != null && found.listener != null && found.listener.listening();
    }

    /** How many probes the {@code LISTEN} connection of a table has heard back (0 where there is none). */
    public synchronized long probesHeard(String datasource, String table) {
        Table found = tables.get(datasource + "\u0000" + table);
        return found == null || found.listener == null ? 0 : found.listener.probesHeard();
    }

    /** How many probes of the {@code LISTEN} connection of a table went unheard (0 where there is none). */
    public synchronized long probesUnheard(String datasource, String table) {
        Table found = tables.get(datasource + "\u0000" + table);
        return found == null || found.listener == null ? 0 : found.listener.probesUnheard();
    }

    /**
     * One lease table on one datasource, shared by the elections of the instances that use it: the store they talk
     * to, opened at the start with the timeout of the shortest lease among them, and the {@code LISTEN} connection
     * that wakes them.
     */
    private final class Table implements LeaseStore {
        final String datasource;
        final DataSource dataSource;
        final Dialect dialect;
        final String name;
        final SchemaManagement schemaManagement;
        final String notifyDatasource;
        final DataSource notifyDataSource;
        final String firstInstance;
        // read by the LISTEN loop while the Dev UI may replace an election
        final List<Election> members = new CopyOnWriteArrayList<>();
        long shortestLease = Long.MAX_VALUE;
        long shortestInterval = Long.MAX_VALUE;
        volatile JdbcLeaseStore store;
        PostgresListener listener;

        Table(Spec spec) {
            this.datasource = spec.datasource();
            this.dataSource = spec.dataSource();
            this.dialect = spec.dialect();
            this.name = spec.table();
            this.schemaManagement = spec.schemaManagement();
            this.notifyDatasource = spec.notifyDatasource();
            this.notifyDataSource = spec.notifyDataSource();
            this.firstInstance = spec.instance();
        }

        void add(Election election) {
            members.add(election);
            shortestLease = Math.min(shortestLease, election.timing().leaseNanos());
            shortestInterval = Math.min(shortestInterval, election.timing().intervalNanos());
        }

        /** Stops routing notifications to an election that another of the same instance replaces. */
        void remove(Election election) {
            members.remove(election);
        }

        Duration clientTimeout() {
            return clientTimeoutOf(Duration.ofNanos(shortestLease));
        }

        /**
         * Opens the store, creates or validates the table, and starts listening.
         *
         * @return whether the database could be reached
         */
        boolean open() {
            store = new JdbcLeaseStore(dataSource, dialect, name, clientTimeout());
            boolean reachable = prepare();
            if (options.notifications() && dialect.notifiesRelease()) {
                Duration probeEvery = options.probeEvery().orElseGet(() -> clamp(Duration.ofNanos(shortestInterval),
                        Duration.ofSeconds(5), Duration.ofSeconds(30)));
                Duration probeTimeout = clamp(clientTimeout(), Duration.ofSeconds(2), Duration.ofSeconds(10));
                listener = new PostgresListener(notifyDataSource, notifyDatasource, dataSource,
                        Dialect.channelOf(name), probeEvery, probeTimeout, this::released,
                        () -> members.forEach(e -> e.wake(true)));
                listener.start(options.listening());
            }
            return reachable;
        }

        private void released(String instance) {
            for (Election election : members) {
                if (election.instance().equals(instance)) {
                    election.wake(true);
                }
            }
        }

        /**
         * Creates or validates the table. A table that is missing or wrong under {@code validate} fails the start;
         * a database that cannot be reached does not: the step runs again before the first round that reaches it.
         */
        private boolean prepare() {
            JdbcLeaseStore.SchemaWork work = switch (schemaManagement) {
                case CREATE -> () -> Schema.create(dataSource, dialect, name);
                case VALIDATE -> () -> Schema.validate(dataSource, dialect, name);
                case NONE -> () -> {
                };
            };
            try {
                work.run();
                return true;
            } catch (Schema.InvalidSchemaException e) {
                throw new Schema.InvalidSchemaException(ConfigKeys.key(firstInstance, "schema-management") + "="
                        + name(schemaManagement), e);
            } catch (SQLException e) {
                LOG.warnf("Quarkus Peer: could not %s table %s on datasource %s at start (%s); elections will retry",
                        name(schemaManagement), name, datasource, e.getMessage());
                store.beforeFirstStatement(work);
                return false;
            }
        }

        void close() {
            if (listener != null) {
                listener.close();
            }
        }

        private JdbcLeaseStore opened() {
            JdbcLeaseStore opened = store;
            if (opened == null) {
                throw new IllegalStateException("the lease table " + name + " is not open yet");
            }
            return opened;
        }

        @Override
        public Optional<Observation> acquireOrRenew(String instance, String node, String owner, Duration lease,
                boolean continueTerm, Gate gate) throws Exception {
            return opened().acquireOrRenew(instance, node, owner, lease, continueTerm, gate);
        }

        @Override
        public Optional<Observation> read(String instance, Gate gate) throws Exception {
            return opened().read(instance, gate);
        }

        @Override
        public boolean release(String instance, String owner) throws Exception {
            return opened().release(instance, owner);
        }
    }

    /**
     * How long a node waits for one statement on a table whose shortest lease is {@code lease}: half of it, from 1 s
     * to 10 s, so that a round fails rather than hangs, well inside the lease.
     */
    public static Duration clientTimeoutOf(Duration lease) {
        return clamp(lease.dividedBy(2), Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }
}
