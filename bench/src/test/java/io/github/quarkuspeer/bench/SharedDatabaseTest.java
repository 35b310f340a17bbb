package io.github.quarkuspeer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;

/**
 * The benchmarks only compile in {@code ./mvnw verify}; this checks, in seconds, that what every one of them starts
 * from works on the module's own class path: a pool on the shared PostgreSQL and a lease table of their own.
 */
class SharedDatabaseTest {

    @Test
    void aPoolOnTheSharedServerCreatesAndDropsALeaseTableOfItsOwn() throws SQLException {
        try (SharedDatabase database = new SharedDatabase(2)) {
            assertThat(database.version()).doesNotStartWith("unknown");
            String table = database.createTable("smoke");
            assertThat(table).startsWith("bench_smoke_");
            try (Connection c = database.pool.getConnection();
                    var rows = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getLong(1)).isZero();
            } finally {
                database.dropTable(table);
            }
            try (Connection c = database.pool.getConnection();
                    var rows = c.getMetaData().getTables(null, null, table, null)) {
                assertThat(rows.next()).as("%s dropped", table).isFalse();
            }
        }
    }
}
