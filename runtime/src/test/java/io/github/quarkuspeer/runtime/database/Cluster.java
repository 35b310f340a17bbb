package io.github.quarkuspeer.runtime.database;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.ClaimListener;
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

    /** The interval during which a node could claim a term, as its election reported it. */
    static final class Claim {
        final long token;
        final long from;
        volatile long until;

        Claim(long token, long from, long until) {
            this.token = token;
            this.from = from;
            this.until = until;
        }
    }

    /** One node's election of one instance. */
    static final class Node {
        final Election election;
        final FaultyStore store;
        final List<Announced> events;
        final List<Claim> claims = new CopyOnWriteArrayList<>();

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
        election.claimListener(new ClaimListener() {
            @Override
            public void claimed(String instance, String nodeName, long token, long from, long until) {
                Claim last = node.claims.isEmpty() ? null : node.claims.get(node.claims.size() - 1);
                if (last != null && last.token == token) {
                    last.until = until;
                } else {
                    node.claims.add(new Claim(token, from, until));
                }
            }

            @Override
            public void ended(String instance, String nodeName, long token, long at) {
                node.claims.stream().filter(c -> c.token == token).forEach(c -> c.until = Math.min(c.until, at));
            }
        });
        nodes.add(node);
        return node;
    }

    /**
     * Listens for released leases on this table, as every node does in production on PostgreSQL; returns once the
     * listener is listening.
     */
    void listen() {
        PostgresListener listener = new PostgresListener(database.dataSource, Dialect.channelOf(table),
                instance -> nodes.stream().filter(n -> n.election.instance().equals(instance))
                        .forEach(n -> n.election.wake(true)),
                () -> nodes.forEach(n -> n.election.wake(true)));
        listener.start(listening);
        listeners.add(listener);
        // a release sent before LISTEN has run would reach nobody
        await().atMost(Duration.ofSeconds(10)).until(listener::listening);
    }

    /** Whether any two claims of different nodes on this instance overlap in time. */
    boolean claimsOverlap(String instance) {
        List<Node> ofInstance = nodes.stream().filter(n -> n.election.instance().equals(instance)).toList();
        for (Node one : ofInstance) {
            for (Node other : ofInstance) {
                if (one == other) {
                    continue;
                }
                for (Claim a : one.claims) {
                    for (Claim b : other.claims) {
                        if (a.from - b.until < 0 && b.from - a.until < 0) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
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
