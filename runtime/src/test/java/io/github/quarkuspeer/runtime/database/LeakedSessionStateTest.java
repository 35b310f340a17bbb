package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.runtime.database.Cluster.Node;

/**
 * Another user of the datasource hands a connection back to the pool in a state the pool does not see: inside a
 * transaction opened with a plain {@code BEGIN} (the connection still reports auto-commit), or, on MariaDB, with
 * {@code SET timestamp} freezing the session's clock. A renewal that ran on it as it is would not commit, or would
 * write a lease that never moves; the node would lead on it while the lease the database holds expires, and another
 * node would take over. The store must end such a transaction first, and read the real clock.
 * <p>
 * Node a has a pool of one connection, so that its next renewal surely gets the spoiled one; right after that
 * renewal a is cut off, and b, on a pool of its own, takes over once the lease a wrote has expired: never while a
 * still leads.
 */
class LeakedSessionStateTest {

    static final Duration LEASE = Duration.ofSeconds(4);

    @Test
    void aTransactionLeftOpenOnAPostgresConnectionIsRolledBackBeforeTheRenewal() throws Exception {
        leaderCutOffAfterARenewalOnASpoiledConnection(TestDatabase::postgres, "BEGIN", "ROLLBACK");
    }

    @Test
    void aTransactionLeftOpenOnAMariaDbConnectionIsRolledBackBeforeTheRenewalCounts() throws Exception {
        leaderCutOffAfterARenewalOnASpoiledConnection(TestDatabase::mariadb, "START TRANSACTION", "ROLLBACK");
    }

    @Test
    void aFrozenMariaDbSessionClockIsNotTheClockOfTheRenewal() throws Exception {
        leaderCutOffAfterARenewalOnASpoiledConnection(TestDatabase::mariadb, "SET timestamp = UNIX_TIMESTAMP() - 8",
                "SET timestamp = DEFAULT");
    }

    /**
     * @param pools a database through a pool of the given size
     * @param spoil what the other user leaves on the connection
     * @param cleanUp what the pool's next user (or a server timeout) does later
     */
    private void leaderCutOffAfterARenewalOnASpoiledConnection(IntFunction<TestDatabase> pools, String spoil,
            String cleanUp) throws Exception {
        String table = "spoiled_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        try (TestDatabase poolOfA = pools.apply(1); TestDatabase poolOfB = pools.apply(20)) {
            Schema.create(poolOfB.dataSource, poolOfB.dialect, table);
            try (Cluster clusterA = new Cluster(poolOfA, table); Cluster clusterB = new Cluster(poolOfB, table)) {
                Node a = clusterA.node("jobs", "node-a", LEASE, LEASE);
                a.start().join();
                await().atMost(LEASE).until(a.election::isLeader);
                try (Connection app = poolOfA.dataSource.getConnection(); Statement statement = app.createStatement()) {
                    statement.execute(spoil);
                    statement.execute("SELECT 1");
                }
                int rounds = a.store.completedRounds.get();
                await().atMost(LEASE.multipliedBy(2)).until(() -> a.store.completedRounds.get() > rounds);
                // a renewed on the spoiled connection; now it is cut off
                a.store.block();
                try (Connection app = poolOfA.dataSource.getConnection(); Statement statement = app.createStatement()) {
                    statement.execute(cleanUp);
                }
                Node b = clusterB.node("jobs", "node-b", LEASE, LEASE);
                b.start();
                await().atMost(LEASE.multipliedBy(3)).until(b.election::isLeader);
                assertThat(a.election.isLeader()).as("node-a still leads while node-b leads").isFalse();
                assertThat(a.claims).isNotEmpty();
                assertThat(b.claims.get(0).from - a.claims.get(a.claims.size() - 1).until)
                        .as("b's claim begins after a's last claim ended").isPositive();
                a.store.unblock();
            } finally {
                poolOfB.dropTable(table);
            }
        }
    }
}
