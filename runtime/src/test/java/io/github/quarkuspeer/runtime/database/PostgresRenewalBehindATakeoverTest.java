package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.database.Cluster.Node;

/**
 * On PostgreSQL, a renewal that waits for the row lock while another node takes the lease over finds the row
 * changed: its conditional update does nothing, and the statement's fallback {@code SELECT} answers from the
 * statement's snapshot, taken before that takeover, with this process's own superseded row, still live by the
 * statement's "now". That answer must not count as a renewal: the node stops leading, and follows the new owner.
 */
class PostgresRenewalBehindATakeoverTest {

    /** Long enough that the statement's wait stays within the server's bound (three quarters of 5 s). */
    static final Duration LEASE = Duration.ofSeconds(10);

    @Test
    void aRenewalAnsweredWithItsOwnSupersededRowDoesNotLead() throws Exception {
        String table = "takeover_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        try (TestDatabase database = TestDatabase.postgres()) {
            Schema.create(database.dataSource, database.dialect, table);
            try (Cluster cluster = new Cluster(database, table)) {
                Node a = cluster.node("jobs", "node-a", LEASE, LEASE);
                a.start().join();
                await().atMost(LEASE).until(a.election::isLeader);
                // a's next renewal waits before it reaches the database
                a.store.block();
                await().atMost(LEASE.multipliedBy(2)).until(() -> a.store.waiting.get() == 1);
                await().atMost(LEASE.multipliedBy(2))
                        .until(() -> millisLeft(database, table) < 1_500);

                try (Connection intruder = database.dataSource.getConnection()) {
                    intruder.setAutoCommit(false);
                    try (Statement lock = intruder.createStatement()) {
                        lock.executeQuery("SELECT 1 FROM " + table + " WHERE name = 'jobs' FOR UPDATE").close();
                    }
                    // the renewal starts while a's lease is live, and waits for the row
                    int rounds = a.store.completedRounds.get();
                    a.store.unblock();
                    await().atMost(Duration.ofSeconds(10)).until(() -> waitsForTheRow(database, table));
                    // the lease expires; another node takes it over and commits while the renewal still waits
                    await().atMost(Duration.ofSeconds(10)).until(() -> millisLeft(database, table) < 0);
                    try (Statement takeover = intruder.createStatement()) {
                        takeover.executeUpdate("UPDATE " + table + " SET owner = 'intruder', node = 'node-x', "
                                + "fencing_token = fencing_token + 1, expires_at = clock_timestamp() + "
                                + "INTERVAL '1 hour' WHERE name = 'jobs'");
                    }
                    intruder.commit();
                    await().atMost(Duration.ofSeconds(10)).until(() -> a.store.completedRounds.get() > rounds);
                }
                // the renewal's answer was a's own row, from before the takeover: a must not lead on it
                assertThat(a.election.isLeader()).as("a leads while node-x holds the lease").isFalse();
                assertThat(a.reasons()).containsExactly(Reason.ELECTED, Reason.LOST);
                await().atMost(LEASE).until(() -> a.election.getLeader().equals(Optional.of("node-x")));
                assertThat(a.election.isLeader()).isFalse();
            } finally {
                database.dropTable(table);
            }
        }
    }

    /** How long the lease has left by the database clock now, in milliseconds. */
    private static long millisLeft(TestDatabase database, String table) throws SQLException {
        try (Connection connection = database.dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT CAST(EXTRACT(EPOCH FROM "
                        + "(expires_at - clock_timestamp())) * 1000 AS BIGINT) FROM " + table + " WHERE name = 'jobs'");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Whether a's acquire statement is waiting for the row lock. */
    private static boolean waitsForTheRow(TestDatabase database, String table) throws SQLException {
        try (Connection connection = database.dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                        + "WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO " + table + "%'");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getInt(1) == 1;
        }
    }
}
