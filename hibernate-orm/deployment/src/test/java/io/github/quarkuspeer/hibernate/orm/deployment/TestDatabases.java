package io.github.quarkuspeer.hibernate.orm.deployment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import io.quarkus.test.QuarkusUnitTest;

/** The databases of this machine, as QuarkusUnitTest configuration: the shared servers, and H2 in memory. */
final class TestDatabases {

    static final String PG_URL = System.getProperty("peer.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String PG_USER = System.getProperty("peer.test.pg.user", "postgres");
    /** The shared MariaDB server, without a database: tests name theirs. */
    static final String MARIADB_SERVER = System.getProperty("peer.test.mariadb.server", "jdbc:mariadb://127.0.0.1:3306/");
    static final String MARIADB_USER = System.getProperty("peer.test.mariadb.user", "root");

    private TestDatabases() {
    }

    /**
     * An application of the given classes whose default datasource is the shared PostgreSQL, with a lease table of
     * the test's own.
     */
    static QuarkusUnitTest postgres(String table, Class<?>... classes) {
        return new QuarkusUnitTest()
                .withApplicationRoot(jar -> jar.addClass(TestDatabases.class).addClasses(classes))
                .overrideConfigKey("quarkus.datasource.db-kind", "postgresql")
                .overrideConfigKey("quarkus.datasource.jdbc.url", PG_URL)
                .overrideConfigKey("quarkus.datasource.username", PG_USER)
                .overrideConfigKey("quarkus.devservices.enabled", "false")
                .overrideConfigKey("quarkus.peer.table", table);
    }

    /**
     * An application whose default datasource is a database of its own on the shared MariaDB server, created when
     * the application first connects; {@link #dropMariaDbDatabase} removes it.
     */
    static QuarkusUnitTest mariadb(String database, Class<?>... classes) {
        return new QuarkusUnitTest()
                .withApplicationRoot(jar -> jar.addClass(TestDatabases.class).addClasses(classes))
                .overrideConfigKey("quarkus.datasource.db-kind", "mariadb")
                .overrideConfigKey("quarkus.datasource.jdbc.url",
                        MARIADB_SERVER + database + "?createDatabaseIfNotExist=true")
                .overrideConfigKey("quarkus.datasource.username", MARIADB_USER)
                .overrideConfigKey("quarkus.devservices.enabled", "false");
    }

    /** Drops a database of the shared MariaDB server, once the application that used it has stopped. */
    static void dropMariaDbDatabase(String database) {
        try (Connection connection = DriverManager.getConnection(MARIADB_SERVER, MARIADB_USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop the MariaDB database " + database, e);
        }
    }

    /** Runs statements on the shared PostgreSQL, outside any application. */
    static void onPostgres(String... statements) {
        try (Connection connection = DriverManager.getConnection(PG_URL, PG_USER, "");
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row of a query on the shared PostgreSQL. */
    static long queryPostgres(String sql) {
        try (Connection connection = DriverManager.getConnection(PG_URL, PG_USER, "");
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text of a file of the quarkus-peer jar, exactly as shipped. */
    static String shipped(String resource) {
        try (InputStream in = TestDatabases.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Not on the classpath: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
