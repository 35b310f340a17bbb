package io.github.quarkuspeer.bench;

import io.github.quarkuspeer.testing.CountingDataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.database.Dialect;
import io.github.quarkuspeer.runtime.database.JdbcLeaseStore;
import io.github.quarkuspeer.runtime.database.PostgresListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.vertx.core.Vertx;

/**
 * The nodes of one schedule in one JVM, on a lease table of their own: each node has its own peer, owner, store and
 * statement counter, as a separate process would, and every node runs on the given Vert.x (timers and worker
 * threads) as the runtime runs it.
 * <p>
 * One {@code LISTEN} connection hands each release notification to every node of the released instance; in
 * production each node listens on a connection of its own, so the notification reaches them all at the same time
 * here as there.
 */
public final class LocalCluster implements AutoCloseable {

    /** One node's peer of one instance, with the store and the connections it runs on. */
    public record Node(BenchPeer peer, BenchStore store, CountingDataSource connections) {
    }

    private final SharedDatabase database;
    private final DataSource rounds;
    private final DataSource listenOn;
    private final Schedule schedule;
    private final Vertx vertx;
    private final String table;
    private final Samples roundNanos;
    private final Samples queueNanos;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private PostgresListener listener;
    private ExecutorService listening;

    /**
     * @param name what the table is for, part of its name
     * @param roundNanos where each round's statement time goes, or {@code null}
     * @param queueNanos where each round's wait for a worker thread goes, or {@code null}
     */
    public LocalCluster(SharedDatabase database, Schedule schedule, Vertx vertx, String name, Samples roundNanos,
            Samples queueNanos) {
        this(database, database.pool, database.pool, schedule, vertx, name, roundNanos, queueNanos);
    }

    /**
     * Nodes whose rounds and releases go through {@code rounds}, and whose {@link #listen() listener} listens on a
     * connection of {@code listenOn}: both the shared database's pool, or a pooler in front of it for the rounds and
     * either for listening. The table is created and dropped through the shared database's own pool.
     */
    public LocalCluster(SharedDatabase database, DataSource rounds, DataSource listenOn, Schedule schedule,
            Vertx vertx, String name, Samples roundNanos, Samples queueNanos) {
        this.database = database;
        this.rounds = rounds;
        this.listenOn = listenOn;
        this.schedule = schedule;
        this.vertx = vertx;
        this.table = database.createTable(name + "_" + (schedule == Schedule.OBAN ? "oban" : "peer"));
        this.roundNanos = roundNanos;
        this.queueNanos = queueNanos;
    }

    public Schedule schedule() {
        return schedule;
    }

    /** Adds a node's peer of an instance, not started. */
    public Node add(String instance, String nodeName, Duration interval) {
        CountingDataSource connections = new CountingDataSource(rounds);
        BenchStore[] store = new BenchStore[1];
        BenchPeer peer = schedule.peer(instance, nodeName, interval, new Schedule.Wiring(connections,
                database.dialect, table, scheduling(), inner -> store[0] = new BenchStore(inner, roundNanos)));
        Node node = new Node(peer, store[0], connections);
        nodes.add(node);
        return node;
    }

    private Election.Scheduling scheduling() {
        Election.Scheduling vertxScheduling = new VertxScheduling(vertx, vertx.getOrCreateContext());
        if (queueNanos == null) {
            return vertxScheduling;
        }
        return new Election.Scheduling() {
            @Override
            public long setTimer(long delayNanos, Runnable task) {
                return vertxScheduling.setTimer(delayNanos, task);
            }

            @Override
            public void cancelTimer(long handle) {
                vertxScheduling.cancelTimer(handle);
            }

            @Override
            public void runBlocking(Runnable task) {
                long submitted = System.nanoTime();
                vertxScheduling.runBlocking(() -> {
                    queueNanos.add(System.nanoTime() - submitted);
                    task.run();
                });
            }
        };
    }

    /** Starts listening for released leases, which wakes the other nodes of the released instance. */
    public void listen() {
        listening = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-listener-" + table));
        listener = new PostgresListener(listenOn, "", rounds, Dialect.channelOf(table), Duration.ofSeconds(30),
                Duration.ofSeconds(5), instance -> nodes.stream()
                .filter(n -> n.peer().instance().equals(instance)).forEach(n -> n.peer().released()),
                () -> nodes.forEach(n -> n.peer().released()));
        listener.start(listening);
    }

    /** Waits up to {@code timeout} until the listener's connection listens. */
    public void awaitListening(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!listener.listening()) {
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException("not listening on " + table + " after " + timeout);
            }
            Thread.sleep(5);
        }
    }

    /**
     * Starts the given nodes each at a random moment within {@code over}, as nodes that were not all started at
     * once, so that their rounds fall at unrelated times; returns once every first round has ended.
     */
    public static void startSpread(List<Node> nodes, Duration over) throws InterruptedException {
        ScheduledExecutorService starter = Executors.newScheduledThreadPool(4);
        try {
            List<ScheduledFuture<?>> started = new ArrayList<>();
            for (Node node : nodes) {
                long at = ThreadLocalRandom.current().nextLong(Math.max(1, over.toNanos()));
                started.add(starter.schedule(node.peer()::start, at, TimeUnit.NANOSECONDS));
            }
            for (ScheduledFuture<?> start : started) {
                start.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a node failed to start", e.getCause());
        } finally {
            starter.shutdownNow();
        }
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The nodes of an instance that say they lead it now. */
    public List<Node> leaders(String instance) {
        return nodes.stream().filter(n -> n.peer().instance().equals(instance) && n.peer().isLeader()).toList();
    }

    /** Releases every node's peer, stops listening and drops the table. */
    @Override
    public void close() {
        nodes.parallelStream().forEach(n -> n.peer().release());
        if (listener != null) {
            listener.close();
            listening.shutdownNow();
        }
        database.dropTable(table);
    }
}
