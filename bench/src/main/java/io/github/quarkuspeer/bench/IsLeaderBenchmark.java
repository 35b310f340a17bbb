package io.github.quarkuspeer.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.ElectionPeer;
import io.github.quarkuspeer.runtime.PeerKind;
import io.github.quarkuspeer.runtime.SchemaManagement;
import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.database.DatabasePeers;
import io.github.quarkuspeer.runtime.election.ClaimListener;
import io.github.quarkuspeer.runtime.election.Election;
import io.github.quarkuspeer.runtime.election.Timing;
import io.vertx.core.Vertx;

/**
 * The cost of {@code isLeader()} beside the two reads it can be compared with: a plain volatile read (the SPEC's
 * yardstick), and a volatile read plus {@link System#nanoTime()} (the least that a leadership with a deadline
 * needs). The elections are real: they won or lost a lease on PostgreSQL in the setup, and their lease lasts an
 * hour, so no round runs while JMH measures.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class IsLeaderBenchmark {

    private static final Duration HOUR = Duration.ofHours(1);

    private volatile boolean flag = true;
    private volatile long deadline = System.nanoTime() + HOUR.toNanos();

    private SharedDatabase database;
    private String table;
    private Vertx vertx;
    private DatabasePeers leaderNode;
    private DatabasePeers followerNode;
    private Peer leader;
    private Peer follower;

    @Setup
    public void elect() {
        database = new SharedDatabase(2);
        table = database.createTable("jmh");
        vertx = Vertx.vertx();
        leaderNode = node();
        leader = peer(leaderNode, "node-a");
        followerNode = node();
        follower = peer(followerNode, "node-b");
        if (!leader.isLeader() || follower.isLeader()) {
            throw new IllegalStateException("expected node-a to lead and node-b to follow");
        }
    }

    /** A node as the runtime builds one; the benchmark needs no notifications. */
    private DatabasePeers node() {
        return new DatabasePeers(new DatabasePeers.Options(() -> new VertxScheduling(vertx, vertx.getOrCreateContext()),
                Runnable::run, false, ClaimListener.NONE, UnaryOperator.identity(),
                java.util.Optional.empty()));
    }

    /** The peer an application injects: the runtime's adapter around the election. */
    private Peer peer(DatabasePeers node, String name) {
        Election election = node.add(new DatabasePeers.Spec("jmh", name, true, Timing.of(HOUR, HOUR), "bench",
                database.pool, database.dialect, table, SchemaManagement.NONE), event -> {
                });
        node.start().join();
        return new ElectionPeer(election, PeerKind.DATABASE);
    }

    @TearDown
    public void release() {
        leaderNode.stop();
        followerNode.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        database.dropTable(table);
        database.close();
    }

    @Benchmark
    public boolean volatileRead() {
        return flag;
    }

    @Benchmark
    public boolean volatileReadAndNanoTime() {
        return System.nanoTime() - deadline < 0;
    }

    @Benchmark
    public boolean isLeaderOnTheLeader() {
        return leader.isLeader();
    }

    @Benchmark
    public boolean isLeaderOnAFollower() {
        return follower.isLeader();
    }
}
