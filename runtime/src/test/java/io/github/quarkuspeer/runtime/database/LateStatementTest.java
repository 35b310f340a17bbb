package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.quarkuspeer.runtime.election.LeaseStore.Gate;
import io.github.quarkuspeer.runtime.election.Observation;

/**
 * Statements of the same owner that reach the row out of order, on the databases whose client gives up on a
 * statement (PostgreSQL, MariaDB): a renewal whose "now" was fixed first but which committed last must not pull
 * the lease back under the deadline a later renewal granted (SPEC 5.5); and a statement held longer than its client
 * waits is cancelled by the server, so that it never commits after its client gave up.
 * <p>
 * The statements are the store's own; {@link Stall} holds one of them on the server, in a trigger that runs after
 * its "now" was fixed and before it touches the row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LateStatementTest {

    static final Duration LEASE = Duration.ofSeconds(10);

    TestDatabase database;
    String table;

    abstract TestDatabase openDatabase();

    @BeforeAll
    void createTable() throws SQLException {
        database = openDatabase();
        table = "late_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        Schema.create(database.dataSource, database.dialect, table);
    }

    @AfterAll
    void dropTable() {
        database.dropTable(table);
        database.close();
    }

    /** The lease's expiry as the database holds it. */
    private Timestamp expiry(String instance) {
        return new LeaseRows(database, table).expiry(instance);
    }

    @Test
    void aRenewalThatBeganFirstButCommittedLastLeavesTheLaterExpiry() throws Exception {
        String instance = "reordered";
        // a client patient enough that the server's own bound (three quarters of it) does not end the test's stall
        JdbcLeaseStore store = new JdbcLeaseStore(database.dataSource, database.dialect, table, Duration.ofSeconds(20));
        store.acquireOrRenew(instance, "node-a", "owner-a", LEASE, false, Gate.OPEN);
        try (Stall stall = Stall.install(database, table)) {
            stall.hold();
            CompletableFuture<Optional<Observation>> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.acquireOrRenew(instance, "node-a", "owner-a", LEASE, true, Gate.OPEN);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(stall::waiting);
            stall.stopHolding();
            // the second renewal's "now" is a whole second later than the first's
            Timestamp firstBegan = databaseNow();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> databaseNow().getTime() - firstBegan.getTime() >= 1_000);
            Optional<Observation> second = store.acquireOrRenew(instance, "node-a", "owner-a", LEASE, true,
                    Gate.OPEN);
            assertThat(second).hasValueSatisfying(lease -> assertThat(lease.written()).isTrue());
            Timestamp granted = expiry(instance);

            stall.release();
            Optional<Observation> late = first.get(30, TimeUnit.SECONDS);
            assertThat(late).hasValueSatisfying(lease -> assertThat(lease.written()).isTrue());
            assertThat(expiry(instance)).as("the expiry after the earlier renewal committed last")
                    .isEqualTo(granted);
        }
    }

    @Test
    void aStatementHeldLongerThanItsClientWaitsIsCancelledByTheServerAndNeverCommits() throws Exception {
        String instance = "abandoned";
        JdbcLeaseStore store = new JdbcLeaseStore(database.dataSource, database.dialect, table, Duration.ofSeconds(2));
        store.acquireOrRenew(instance, "node-a", "owner-a", LEASE, false, Gate.OPEN);
        Timestamp before = expiry(instance);
        try (Stall stall = Stall.install(database, table)) {
            stall.hold();
            long sent = System.nanoTime();
            assertThatThrownBy(() -> store.acquireOrRenew(instance, "node-a", "owner-a", LEASE, true, Gate.OPEN))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState())
                            .as("cancelled by the server, not abandoned by the client")
                            .isIn("57014", "55P03", "70100"));
            // the server gave up first: before the client's own 2 s
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(2));
            stall.release();
            // nothing waits any more, and the row is as it was: the statement did not commit late
            await().atMost(Duration.ofSeconds(10)).until(() -> !stall.waiting());
            assertThat(expiry(instance)).isEqualTo(before);
        }
    }

    private Timestamp databaseNow() throws SQLException {
        String sql = database.dialect instanceof PostgresDialect ? "SELECT clock_timestamp()" : "SELECT NOW(6)";
        try (Connection connection = database.dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getTimestamp(1);
        }
    }
}
