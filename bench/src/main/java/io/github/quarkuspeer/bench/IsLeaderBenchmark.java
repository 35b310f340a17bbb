package io.github.quarkuspeer.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

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

import io.github.quarkuspeer.runtime.VertxScheduling;
import io.github.quarkuspeer.runtime.database.JdbcLeaseStore;
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
    private Election leader;
    private Election follower;

    @Setup
    public void elect() {
        database = new SharedDatabase(2);
        table = database.createTable("jmh");
        vertx = Vertx.vertx();
        JdbcLeaseStore store = new JdbcLeaseStore(database.pool, database.dialect, table, Duration.ofSeconds(2));
        leader = election("node-a", store);
        follower = election("node-b", store);
        if (!leader.isLeader() || follower.isLeader()) {
            throw new IllegalStateException("expected node-a to lead and node-b to follow");
        }
    }

    private Election election(String node, JdbcLeaseStore store) {
        Election election = new Election("jmh", node, true, Timing.of(HOUR, HOUR), store,
                new VertxScheduling(vertx, vertx.getOrCreateContext()), event -> {
                }, System::nanoTime);
        election.start().join();
        return election;
    }

    @TearDown
    public void release() {
        leader.release(Duration.ofSeconds(5).toNanos());
        follower.release(Duration.ofSeconds(5).toNanos());
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
