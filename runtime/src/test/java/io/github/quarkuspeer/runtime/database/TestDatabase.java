package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ConnectionValidator;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ExceptionSorter;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.exceptionsorter.PostgreSQLExceptionSorter;
import io.agroal.api.security.SimplePassword;

/** A real database for the conformance suite, reached through an Agroal pool as in production. */
final class TestDatabase implements AutoCloseable {

    final String name;
    final Dialect dialect;
    final AgroalDataSource dataSource;

    /**
     * A pool set up as Quarkus sets up a datasource of that kind: connections validated with
     * {@code Connection.isValid}, and the database's exception sorter where Quarkus configures one.
     */
    private TestDatabase(String name, Dialect dialect, String url, String user, String password,
            ExceptionSorter sorter) {
        this.name = name;
        this.dialect = dialect;
        try {
            this.dataSource = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                    .metricsEnabled(true)
                    .connectionPoolConfiguration(pool -> pool.maxSize(20)
                            .acquisitionTimeout(Duration.ofSeconds(5))
                            .connectionValidator(ConnectionValidator.defaultValidator())
                            .exceptionSorter(sorter)
                            .connectionFactoryConfiguration(factory -> factory.jdbcUrl(url)
                                    .principal(new NamePrincipal(user))
                                    .credential(new SimplePassword(password)))));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot open a pool on " + url, e);
        }
    }

    /** The shared PostgreSQL server of this machine. */
    static TestDatabase postgres() {
        return postgres(System.getProperty("peer.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"));
    }

    static TestDatabase postgres(String url) {
        return new TestDatabase("postgresql", new PostgresDialect(), url,
                System.getProperty("peer.test.pg.user", "postgres"), "", new PostgreSQLExceptionSorter());
    }

    /** Runs a statement outside any election, for a test to change or inspect the table behind the peers' back. */
    int execute(String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            return statement.executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    void dropTable(String table) {
        execute("DROP TABLE IF EXISTS " + table);
        execute("DROP SEQUENCE IF EXISTS " + Dialect.sequenceOf(table));
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
