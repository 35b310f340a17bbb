package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.quarkuspeer.LeadershipChanged.Reason;
import io.github.quarkuspeer.runtime.database.Cluster.Node;
import io.github.quarkuspeer.runtime.election.LeaseStore.Gate;
import io.github.quarkuspeer.runtime.election.Observation;

/**
 * The trap behind Oban issue #1250, where every MySQL node became leader: MariaDB's driver reports the rows an
 * upsert <em>found</em>, so a renewal refused because another process holds the lease counts 1, just like a renewal
 * that worked. A peer that decided from that count would keep leading. Ours reads the row and steps down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbRenewalFindsAnotherOwnerTest {

    static final Duration LEASE = Duration.ofSeconds(1);

    TestDatabase database;
    String table;

    @BeforeAll
    void createTable() throws SQLException {
        database = TestDatabase.mariadb();
        table = "renewal_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        Schema.create(database.dataSource, database.dialect, table);
    }

    @AfterAll
    void dropTable() {
        database.dropTable(table);
        database.close();
    }

    /** Another process holds the lease for an hour, as if it had taken the row behind the leader's back. */
    private void takenByAnotherOwner(String instance) {
        int changed = database.execute("UPDATE " + table + " SET owner = 'intruder', node = 'node-x', "
                + "fencing_token = fencing_token + 1, expires_at = UTC_TIMESTAMP(6) + INTERVAL 1 HOUR "
                + "WHERE name = '" + instance + "'");
        assertThat(changed).isEqualTo(1);
    }

    @Test
    void theDriverCountsARefusedRenewalAsOneRowAndTheStoreStillReportsTheOtherOwner() throws Exception {
        String instance = "counted";
        JdbcLeaseStore store = new JdbcLeaseStore(database.dataSource, database.dialect, table, Duration.ofSeconds(5));
        assertThat(store.acquireOrRenew(instance, "node-a", "owner-a", LEASE.multipliedBy(60), false, Gate.OPEN))
                .hasValueSatisfying(seen -> assertThat(seen.owner()).isEqualTo("owner-a"));
        takenByAnotherOwner(instance);

        // The same renewal, run as a count-based peer would run it: the row is left alone, yet the count is 1.
        String renewal = database.dialect.acquireOrRenew(table).text().replaceAll("(?s)RETURNING.*", "");
        try (Connection connection = database.dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(renewal)) {
            statement.setBigDecimal(1, java.math.BigDecimal.ONE);
            statement.setString(2, instance);
            statement.setString(3, "node-a");
            statement.setString(4, "owner-a");
            statement.setLong(5, LEASE.toNanos() / 1_000);
            statement.setBoolean(6, true);
            statement.setBoolean(7, true);
            assertThat(statement.executeUpdate()).as("rows the driver reports for a refused renewal").isEqualTo(1);
        }

        Optional<Observation> seen = store.acquireOrRenew(instance, "node-a", "owner-a", LEASE, true, Gate.OPEN);
        assertThat(seen).hasValueSatisfying(lease -> {
            assertThat(lease.owner()).isEqualTo("intruder");
            assertThat(lease.node()).isEqualTo("node-x");
        });
    }

    @Test
    void aLeaderWhoseRenewalFindsAnotherOwnerStopsLeadingAtOnce() {
        String instance = "stepsDown";
        try (Cluster cluster = new Cluster(database, table)) {
            Node a = cluster.node(instance, "node-a", LEASE, LEASE);
            a.start();
            await().atMost(LEASE.multipliedBy(15)).until(a.election::isLeader);
            int rounds = a.store.completedRounds.get();
            takenByAnotherOwner(instance);

            // the next renewal reads the other owner and ends the term; and a stays a follower from then on, where a
            // peer that believed the driver's count would renew "successfully" and lead again within a lease
            await().atMost(LEASE.multipliedBy(15)).until(() -> !a.election.isLeader());
            assertThat(a.store.completedRounds.get()).isGreaterThan(rounds);
            assertThat(a.reasons()).containsExactly(Reason.ELECTED, Reason.LOST);
            assertThat(a.election.getLeader()).contains("node-x");
            await().during(LEASE.multipliedBy(3)).atMost(LEASE.multipliedBy(15))
                    .until(() -> !a.election.isLeader() && a.election.getLeader().equals(Optional.of("node-x")));
        }
    }
}
