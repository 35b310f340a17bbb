package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.runtime.database.Cluster.Node;
import io.github.quarkuspeer.runtime.election.LeaseStore.Gate;
import io.github.quarkuspeer.runtime.election.Observation;
import io.github.quarkuspeer.testing.PrivatePostgres;
import io.github.quarkuspeer.testing.PrivatePostgresPair;
import io.github.quarkuspeer.testing.PrivatePostgresPair.Replication;

/**
 * A primary fails and its streaming replica is promoted, reached through the multi-host URL that follows the primary.
 * <p>
 * The token sequence is replicated like everything else, but not value by value: PostgreSQL writes a sequence to
 * the WAL 32 values ahead of the last one handed out ({@code SEQ_LOG_VALS}), even with {@code CACHE 1}, and a
 * promoted replica (like a server after a crash) starts from the last value written, so it skips at most 32 values
 * and never hands one out again: as long as it has every commit the primary acknowledged. A synchronous replica has
 * them. An asynchronous one may lack the last ones; then a renewal is forgotten and two nodes lead at once, and a
 * token can be handed out twice. Each is shown here, step by step, with the remedy.
 */
class ReplicaPromotionTest {

    static final String TABLE = "promoted_peers";

    @Test
    void aPromotedSynchronousReplicaSkipsAtMost32TokensAndNeverHandsOneOutAgain() throws Exception {
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.SYNCHRONOUS);
                TestDatabase database = TestDatabase.postgres(pair.jdbcUrl())) {
            Schema.create(database.dataSource, database.dialect, TABLE);
            JdbcLeaseStore store = store(database);
            // every round takes a value of the sequence, renewals included, though a renewal keeps its token
            for (int round = 0; round < 40; round++) {
                store.acquireOrRenew("jobs", "node-a", "owner-a", Duration.ofMinutes(1), true, Gate.OPEN);
            }
            long last = queryLong(pair.primary().jdbcUrl(), "SELECT last_value FROM " + Dialect.sequenceOf(TABLE));
            // gone, so that the next lease takes the sequence's next value alone
            assertThat(store.release("jobs", "owner-a")).isTrue();

            pair.primary().kill();
            pair.standby().promote();

            long next = afterFailover(() -> store.acquireOrRenew("jobs", "node-b", "owner-b", Duration.ofMinutes(1),
                    false, Gate.OPEN)).orElseThrow().fencingToken();
            assertThat(next).as("the first token on the promoted replica, after the value %d", last)
                    .isGreaterThan(last).isLessThanOrEqualTo(last + 33);
            System.out.printf("synchronous: last value handed out by the old primary %d, first token on the "
                    + "promoted replica %d%n", last, next);
        }
    }

    @Test
    void aPromotedAsynchronousReplicaCanHandOutATokenAgainUnlessTheSequenceIsMovedOn() throws Exception {
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.ASYNCHRONOUS);
                TestDatabase database = TestDatabase.postgres(pair.jdbcUrl())) {
            Schema.create(database.dataSource, database.dialect, TABLE);
            JdbcLeaseStore store = store(database);
            long first = store.acquireOrRenew("jobs", "node-a", "owner-a", Duration.ofSeconds(1), false, Gate.OPEN)
                    .orElseThrow().fencingToken();
            pair.awaitStandbyReplayed();
            pair.cutReplication();

            // The replica's copy of the sequence ends where the primary last wrote it to the WAL, up to 32 values
            // ahead. The primary goes on handing values out (every round takes one) until it reaches that value.
            PrivatePostgres standby = pair.standby();
            long replicated = queryLong(standby.jdbcUrl(), "SELECT last_value FROM " + Dialect.sequenceOf(TABLE));
            assertThat(replicated).as("the replica's copy of the sequence, after token %d", first)
                    .isBetween(first, first + 32);
            while (queryLong(pair.primary().jdbcUrl(), "SELECT last_value FROM " + Dialect.sequenceOf(TABLE))
                    < replicated) {
                store.acquireOrRenew("jobs", "node-a", "owner-a", Duration.ofSeconds(1), true, Gate.OPEN);
            }
            // node-a leaves; node-b leads next, with the next value, on the primary only
            assertThat(store.release("jobs", "owner-a")).isTrue();
            long b = store.acquireOrRenew("jobs", "node-b", "owner-b", Duration.ofMinutes(1), false, Gate.OPEN)
                    .orElseThrow().fencingToken();
            assertThat(b).isEqualTo(replicated + 1);
            // the replica still has node-a's row, whose lease ends a second after the cut
            await().atMost(Duration.ofSeconds(10)).until(() -> queryLong(standby.jdbcUrl(),
                    "SELECT count(*) FROM " + TABLE + " WHERE expires_at > now()") == 0);

            pair.primary().kill();
            standby.promote();

            Observation c = afterFailover(() -> store.acquireOrRenew("jobs", "node-c", "owner-c",
                    Duration.ofMinutes(1), false, Gate.OPEN)).orElseThrow();
            assertThat(c.written()).as("node-c took the expired lease of node-a").isTrue();
            assertThat(c.fencingToken()).as("node-c's token: node-b's, handed out again").isEqualTo(b);
            System.out.printf("asynchronous: node-b got token %d on the old primary, node-c got %d on the promoted "
                    + "replica%n", b, c.fencingToken());

            // the remedy, run once on the promoted replica before the nodes may lead on it: move the sequence past
            // anything the old primary can have handed out
            queryLong(standby.jdbcUrl(), "SELECT setval('" + Dialect.sequenceOf(TABLE) + "', (SELECT last_value FROM "
                    + Dialect.sequenceOf(TABLE) + ") + 1000000000)");
            assertThat(store.release("jobs", "owner-c")).isTrue();
            long d = store.acquireOrRenew("jobs", "node-d", "owner-d", Duration.ofMinutes(1), false, Gate.OPEN)
                    .orElseThrow().fencingToken();
            assertThat(d).isGreaterThan(b + 1_000_000_000L - 100);
        }
    }

    @Test
    void aPromotedAsynchronousReplicaForgetsTheLastRenewalAndTwoNodesLeadAtOnce() throws Exception {
        Duration interval = Duration.ofSeconds(1);
        Duration lease = Duration.ofSeconds(5);
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.ASYNCHRONOUS);
                TestDatabase database = TestDatabase.postgres(pair.jdbcUrl())) {
            Schema.create(database.dataSource, database.dialect, TABLE);
            try (Cluster cluster = new Cluster(database, TABLE)) {
                Node a = cluster.node("jobs", "node-a", interval, lease);
                a.start().join();
                Node b = cluster.node("jobs", "node-b", interval, lease);
                b.start().join();
                assertThat(a.election.isLeader()).isTrue();
                pair.awaitStandbyReplayed();
                pair.cutReplication();

                // node-a renews on the primary alone; on the replica its lease runs out
                PrivatePostgres standby = pair.standby();
                await().atMost(lease.multipliedBy(3)).until(() -> queryLong(standby.jdbcUrl(),
                        "SELECT count(*) FROM " + TABLE + " WHERE expires_at > now()") == 0);
                int renewals = a.store.completedRounds.get();
                await().atMost(lease).until(() -> a.store.completedRounds.get() > renewals);
                // node-a's next rounds are held back, as for a leader slow to reach the new primary
                a.store.block();
                pair.primary().kill();
                standby.promote();

                // node-a leads until the deadline of its last renewal, which the replica never received; node-b
                // finds the replica's lease expired and takes it
                await().atMost(lease).pollInterval(Duration.ofMillis(10))
                        .until(() -> a.election.isLeader() && b.election.isLeader());
                assertThat(cluster.claimsOverlap("jobs")).isTrue();
                a.store.unblock();
            }
        }
    }

    /**
     * On a synchronous replica, a commit waits for the standby; an operator who cancels that wait
     * ({@code pg_cancel_backend}, to unstick a primary whose standby is gone) gets the commit through on the primary
     * alone, answered as a success with only a warning. A renewal answered so must not count: otherwise the node
     * leads on a lease the standby lacks, and once the standby is promoted another node takes that lease over while
     * the first still leads.
     */
    @Test
    void aRenewalWhoseWaitForTheStandbyWasCancelledDoesNotCount() throws Exception {
        Duration interval = Duration.ofSeconds(2);
        Duration lease = Duration.ofSeconds(6);
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.SYNCHRONOUS);
                TestDatabase database = TestDatabase.postgres(pair.jdbcUrl())) {
            Schema.create(database.dataSource, database.dialect, TABLE);
            try (Cluster cluster = new Cluster(database, TABLE)) {
                Node a = cluster.node("jobs", "node-a", interval, lease);
                a.start().join();
                Node b = cluster.node("jobs", "node-b", interval, lease);
                b.start().join();
                await().atMost(lease).until(a.election::isLeader);
                pair.awaitStandbyReplayed();
                pair.cutReplication();

                // someone cancels every wait for the standby, as soon as it begins
                PrivatePostgres primary = pair.primary();
                AtomicBoolean cancelling = new AtomicBoolean(true);
                CompletableFuture<Long> cancelled = CompletableFuture.supplyAsync(() -> {
                    long count = 0;
                    while (cancelling.get()) {
                        try {
                            count += queryLong(primary.jdbcUrl(), "SELECT count(*) FILTER (WHERE "
                                    + "pg_cancel_backend(pid)) FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return count;
                });
                // a's renewals commit on the primary alone: each is answered with a warning, and fails
                int failed = a.store.failedRounds.get();
                await().atMost(lease.multipliedBy(3)).until(() -> a.store.failedRounds.get() >= failed + 2);
                assertThat(a.election.lastError()).contains("warning").contains("synchronous");
                a.store.block();
                cancelling.set(false);
                assertThat(cancelled.get(30, TimeUnit.SECONDS)).isPositive();
                primary.kill();
                pair.standby().promote();

                // node-b takes over on the promoted standby only after node-a's last replicated lease has run out,
                // which node-a's deadline came before
                await().atMost(lease.multipliedBy(5)).until(b.election::isLeader);
                assertThat(a.election.isLeader()).isFalse();
                assertThat(cluster.claimsOverlap("jobs")).as("node-a's and node-b's claims overlap").isFalse();
                a.store.unblock();
            }
        }
    }

    /**
     * The answer of the first statement that gets through after a failover: the pooled connections to the old primary
     * fail first, as a node's rounds do, until the pool connects again (to the promoted replica, by the multi-host URL).
     */
    private static <T> T afterFailover(Callable<T> statement) {
        return await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(statement, answer -> true);
    }

    private static JdbcLeaseStore store(TestDatabase database) {
        return new JdbcLeaseStore(database.dataSource, database.dialect, TABLE, Duration.ofSeconds(2));
    }

    private static long queryLong(String url, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
