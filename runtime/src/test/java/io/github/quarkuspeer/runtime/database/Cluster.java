package io.github.quarkuspeer.runtime.database;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Several nodes' elections in one JVM against one real table: each node has its own election, owner and store
 * wrapper, as separate processes would, and runs on Vert.x as in production.
 */
final class Cluster implements AutoCloseable {

    /** An event as the node announced it, with the monotonic time of the announcement. */
    record Announced(LeadershipChanged event, long nanos) {
    }

    /** One node's election of one instance. */
    static final class Node {
        final Election election;
        final FaultyStore store;
        final List<Announced> events;

        Node(Election election, FaultyStore store, List<Announced> events) {
            this.election = election;
            this.store = store;
            this.events = events;
        }

        List<LeadershipChanged.Reason> reasons() {
            return events.stream().map(a -> a.event().reason()).toList();
        }
    }

    final TestDatabase database;
    final String table;
    final JdbcLeaseStore store;
    private final Vertx vertx;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final List<PostgresListener> listeners = new ArrayList<>();
    private final ExecutorService listening = Executors.newCachedThreadPool();

    Cluster(TestDatabase database, String table) {
        this(database, table, new VertxOptions());
    }

    Cluster(TestDatabase database, String table, VertxOptions options) {
        this.database = database;
        this.table = table;
        this.store = new JdbcLeaseStore(database.dataSource, database.dialect, table, Duration.ofSeconds(2));
        this.vertx = Vertx.vertx(options);
    }

    Node node(String instance, String nodeName, Duration interval, Duration lease) {
        return node(instance, nodeName, interval, lease, true);
    }

    Node node(String instance, String nodeName, Duration interval, Duration lease, boolean candidate) {
        FaultyStore faulty = new FaultyStore(store);
        List<Announced> events = new CopyOnWriteArrayList<>();
        Election election = new Election(instance, nodeName, candidate, Timing.of(interval, lease), faulty,
                new VertxScheduling(vertx, vertx.getOrCreateContext()),
                event -> events.add(new Announced(event, System.nanoTime())), System::nanoTime);
        Node node = new Node(election, faulty, events);
        nodes.add(node);
        return node;
    }

    /** Listens for released leases on this table, as every node does in production on PostgreSQL. */
    void listen() {
        PostgresListener listener = new PostgresListener(database.dataSource, Dialect.channelOf(table),
                instance -> nodes.stream().filter(n -> n.election.instance().equals(instance))
                        .forEach(n -> n.election.wake(true)),
                () -> nodes.forEach(n -> n.election.wake(true)));
        listener.start(listening);
        listeners.add(listener);
    }

    List<Node> leaders(String instance) {
        return nodes.stream().filter(n -> n.election.instance().equals(instance) && n.election.isLeader()).toList();
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            node.store.unblock();
            node.election.release(Duration.ofSeconds(2).toNanos());
        }
        listeners.forEach(PostgresListener::close);
        listening.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
