package io.github.quarkuspeer.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ConnectionValidator;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.github.quarkuspeer.runtime.database.Dialect;
import io.github.quarkuspeer.runtime.database.PostgresDialect;
import io.github.quarkuspeer.runtime.database.Schema;

/**
 * The machine's shared PostgreSQL, reached through an Agroal pool set up as Quarkus sets up a PostgreSQL datasource
 * (validation with {@code Connection.isValid}, PostgreSQL's exception sorter). Benchmarks only ever create and drop
 * their own tables, named {@code bench_*}; the server itself is never touched.
 */
public final class SharedDatabase implements AutoCloseable {

    /** Where the server is; {@code -Dpeer.bench.pg.url=...} points the benchmarks elsewhere. */
    public static final String URL = System.getProperty("peer.bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = System.getProperty("peer.bench.pg.user", "postgres");

    public final PostgresDialect dialect = new PostgresDialect();
    public final AgroalDataSource pool;
    /** Where the pool connects. */
    public final String url;

    /** @param maxConnections the pool's size: each benchmark says why it picked its own */
    public SharedDatabase(int maxConnections) {
        this(URL, maxConnections);
    }

    /**
     * The same server reached another way, for example through a pooler in front of it.
     *
     * @param url where to connect, as user {@code postgres}
     * @param maxConnections the pool's size
     */
    public SharedDatabase(String url, int maxConnections) {
        this.url = url;
        try {
            pool = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                    .metricsEnabled(true)
                    .connectionPoolConfiguration(p -> p.maxSize(maxConnections)
                            .acquisitionTimeout(Duration.ofSeconds(5))
                            .connectionValidator(ConnectionValidator.defaultValidator())
                            .exceptionSorter(new PostgreSQLExceptionSorter())
                            .connectionFactoryConfiguration(f -> f.jdbcUrl(url)
                                    .principal(new NamePrincipal(USER))
                                    .credential(new SimplePassword("")))));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot open a pool on " + url, e);
        }
    }

    /** Creates a fresh lease table (and its token sequence) whose name starts with {@code bench_<what>_}. */
    public String createTable(String what) {
        String table = "bench_" + what + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        try {
            Schema.create(pool, dialect, table);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create " + table, e);
        }
        return table;
    }

    public void dropTable(String table) {
        execute("DROP TABLE IF EXISTS " + table);
        execute("DROP SEQUENCE IF EXISTS " + Dialect.sequenceOf(table));
    }

    /** The server's version string, for the report. */
    public String version() {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                var rows = s.executeQuery("SHOW server_version")) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** What the server was doing, sampled from outside the elections. */
    public record ServerSample(long walBytes, int waitingOnLocks, int active) {
    }

    /**
     * The server's WAL position, and how many other sessions of this database wait on a lock or are active: the
     * whole server's, so other work on it shows here too.
     */
    public ServerSample sample() {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                var rows = s.executeQuery("""
                        SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint,
                               count(*) FILTER (WHERE wait_event_type = 'Lock'),
                               count(*) FILTER (WHERE state = 'active')
                          FROM pg_stat_activity
                         WHERE datname = current_database() AND pid <> pg_backend_pid()""")) {
            rows.next();
            return new ServerSample(rows.getLong(1), rows.getInt(2), rows.getInt(3));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot sample the server", e);
        }
    }

    private void execute(String sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
