package io.github.quarkuspeer.runtime.database;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.runtime.SchemaManagement;
import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Several nodes' elections in one JVM against one real table: each node is a {@link DatabasePeers} of its own, as a
 * separate process would have, with its own owner, store wrapper and (once {@link #listen()} was called) its own
 * {@code LISTEN} connection, and runs on Vert.x as in production.
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
    final class Node {
        final DatabasePeers peers;
        final Election election;
        final FaultyStore store;
        final List<Announced> events = new CopyOnWriteArrayList<>();
        final List<Claim> claims = new CopyOnWriteArrayList<>();

        private Node(String instance, String nodeName, Duration interval, Duration lease, boolean candidate,
                SchemaManagement schema) {
            FaultyStore[] wrapped = new FaultyStore[1];
            this.peers = new DatabasePeers(new DatabasePeers.Options(
                    () -> new VertxScheduling(vertx, vertx.getOrCreateContext()), listening, notifications,
                    claimListener(), inner -> wrapped[0] = new FaultyStore(inner), Optional.ofNullable(probeEvery)));
            TestDatabase notify = listenOn != null ? listenOn : database;
            this.election = peers.add(new DatabasePeers.Spec(instance, nodeName, candidate,
                    Timing.of(interval, lease), "test", database.dataSource, database.dialect, table,
                    schema, notify == database ? "test" : "notify", notify.dataSource),
                    event -> events.add(new Announced(event, System.nanoTime())));
            this.store = wrapped[0];
        }

        /** Starts the node (and its {@code LISTEN} connection, if any); completes when its first round ended. */
        CompletableFuture<Void> start() {
            CompletableFuture<Void> first = peers.start();
            if (notifications) {
                // a release sent before LISTEN has run would reach nobody
                await().atMost(Duration.ofSeconds(10)).until(() -> peers.listening("test", table));
            }
            return first;
        }

        /** Releases the lease as a node that shuts down does; returns the event announced, if any. */
        LeadershipChanged release() {
            return election.release().orTimeout(30, TimeUnit.SECONDS).join();
        }

        List<LeadershipChanged.Reason> reasons() {
            return events.stream().map(a -> a.event().reason()).toList();
        }

        private ClaimListener claimListener() {
            return new ClaimListener() {
                @Override
                public void claimed(String instance, String nodeName, long token, long from, long until) {
                    Claim last = claims.isEmpty() ? null : claims.get(claims.size() - 1);
                    if (last != null && last.token == token) {
                        last.until = until;
                    } else {
                        claims.add(new Claim(token, from, until));
                    }
                }

                @Override
                public void ended(String instance, String nodeName, long token, long at) {
                    claims.stream().filter(c -> c.token == token).forEach(c -> c.until = Math.min(c.until, at));
                }
            };
        }
    }

    final TestDatabase database;
    final String table;
    /** The table's store, for tests that drive statements directly. */
    final JdbcLeaseStore store;
    private final Vertx vertx;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final ExecutorService listening = Executors.newCachedThreadPool();
    private volatile boolean notifications;
    private volatile Duration probeEvery;
    private volatile TestDatabase listenOn;

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
        return node(instance, nodeName, interval, lease, candidate, SchemaManagement.NONE);
    }

    /** A node that manages the table as {@code schema} says when it starts. */
    Node node(String instance, String nodeName, Duration interval, Duration lease, boolean candidate,
            SchemaManagement schema) {
        Node node = new Node(instance, nodeName, interval, lease, candidate, schema);
        nodes.add(node);
        return node;
    }

    /**
     * Makes every node added from now on listen for released leases on a connection of its own, as every node
     * does in production on PostgreSQL.
     */
    void listen() {
        notifications = true;
    }

    /**
     * Makes every node added from now on listen on a connection of {@code direct} (the same database, reached
     * another way) instead of the cluster's database, as with {@code quarkus.peer.notify-datasource}.
     */
    void listenOn(TestDatabase direct) {
        listenOn = direct;
    }

    /** Makes every node added from now on probe its {@code LISTEN} connection this often. */
    void probeEvery(Duration every) {
        probeEvery = every;
    }

    /** How many probes the node's {@code LISTEN} connection has heard back. */
    long probesHeard(Node node) {
        return node.peers.probesHeard("test", table);
    }

    /** How many probes of the node's {@code LISTEN} connection went unheard. */
    long probesUnheard(Node node) {
        return node.peers.probesUnheard("test", table);
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
        }
        nodes.parallelStream().forEach(node -> node.peers.stop());
        listening.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
