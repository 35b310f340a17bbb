package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ConnectionValidator;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ExceptionSorter;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.exceptionsorter.MySQLExceptionSorter;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.agroal.api.security.SimplePassword;

/** A real database for the conformance suite, reached through an Agroal pool as in production. */
final class TestDatabase implements AutoCloseable {

    final String name;
    final Dialect dialect;
    final AgroalDataSource dataSource;

    /**
     * A pool set up as Quarkus sets up a datasource of that kind: connections validated with
     * {@code Connection.isValid}, and the database's exception sorter where Quarkus configures one (its
     * {@code AgroalConnectionConfigurer} of that kind: PostgreSQL's sorter for PostgreSQL, MySQL's for MariaDB, none
     * for H2).
     */
    private TestDatabase(String name, Dialect dialect, String url, String user, String password,
            ExceptionSorter sorter) {
        this(name, dialect, url, user, password, sorter, 20);
    }

    private TestDatabase(String name, Dialect dialect, String url, String user, String password,
            ExceptionSorter sorter, int maxSize) {
        this.name = name;
        this.dialect = dialect;
        try {
            this.dataSource = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                    .metricsEnabled(true)
                    .connectionPoolConfiguration(pool -> {
                        pool.maxSize(maxSize)
                                .acquisitionTimeout(Duration.ofSeconds(5))
                                .connectionValidator(ConnectionValidator.defaultValidator())
                                .connectionFactoryConfiguration(factory -> factory.jdbcUrl(url)
                                        .principal(new NamePrincipal(user))
                                        .credential(new SimplePassword(password)));
                        if (sorter != null) {
                            pool.exceptionSorter(sorter);
                        }
                        return pool;
                    }));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot open a pool on " + url, e);
        }
    }

    /** The shared PostgreSQL server of this machine. */
    static TestDatabase postgres() {
        return postgres(System.getProperty("peer.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    }

    static TestDatabase postgres(String url) {
        return postgres(url, 20);
    }

    /** A PostgreSQL server at {@code url}, through a pool of at most {@code maxSize} connections. */
    static TestDatabase postgres(String url, int maxSize) {
        return new TestDatabase("postgresql", new PostgresDialect(), url,
                System.getProperty("peer.test.pg.user", "postgres"), "", new PostgreSQLExceptionSorter(), maxSize);
    }

    /** The shared MariaDB server of this machine. */
    static TestDatabase mariadb() {
        return mariadb(20);
    }

    /** The shared MariaDB server of this machine, through a pool of at most {@code maxSize} connections. */
    static TestDatabase mariadb(int maxSize) {
        return new TestDatabase("mariadb", new MariaDbDialect(),
                System.getProperty("peer.test.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/test"),
                System.getProperty("peer.test.mariadb.user", "root"), "", new MySQLExceptionSorter(), maxSize);
    }

    /** The shared PostgreSQL server of this machine, through a pool of at most {@code maxSize} connections. */
    static TestDatabase postgres(int maxSize) {
        return postgres(System.getProperty("peer.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"), maxSize);
    }

    /** An H2 database in this JVM's memory, private to the caller, kept until {@link #close()}. */
    static TestDatabase h2() {
        String name = "peers_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        return new TestDatabase("h2", new H2Dialect(), "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "", null);
    }

    /**
     * An H2 database in files under {@code directory}, in automatic mixed mode as the demo uses it, kept until
     * {@link #close()}.
     */
    static TestDatabase h2Files(Path directory) {
        return new TestDatabase("h2", new H2Dialect(),
                "jdbc:h2:file:" + directory.resolve("peers") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0", "sa", "", null);
    }

    /** Runs a statement outside any election, for a test to change or inspect the table behind the peers' back. */
    int execute(String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            return statement.executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Moves a lease's expiry an hour later, as a statement of its owner that committed with a later "now" would. */
    void extendExpiryByAnHour(String table, String instance) {
        String later = switch (name) {
            case "postgresql" -> "expires_at + INTERVAL '1 hour'";
            case "mariadb" -> "expires_at + INTERVAL 1 HOUR";
            default -> "DATEADD(HOUR, 1, expires_at)";
        };
        if (execute("UPDATE " + table + " SET expires_at = " + later + " WHERE name = '" + instance + "'") != 1) {
            throw new IllegalStateException("no lease " + instance + " in " + table);
        }
    }

    void dropTable(String table) {
        execute("DROP TABLE IF EXISTS " + table);
        execute("DROP SEQUENCE IF EXISTS " + Dialect.sequenceOf(table));
    }

    @Override
    public void close() {
        if (dialect instanceof H2Dialect) {
            // an in-memory database lives until it is shut down
            execute("SHUTDOWN");
        }
        dataSource.close();
    }
}
