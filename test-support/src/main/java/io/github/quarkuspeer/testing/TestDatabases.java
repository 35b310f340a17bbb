package io.github.quarkuspeer.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.test.QuarkusUnitTest;

/**
 * The databases of this machine, as QuarkusUnitTest configuration for the extension's tests: the shared servers, and
 * H2 in memory.
 */
public final class TestDatabases {

    public static final String PG_URL = System.getProperty("peer.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String PG_USER = System.getProperty("peer.test.pg.user", "postgres");
    /** The shared MariaDB server, without a database: tests name theirs. */
    public static final String MARIADB_SERVER = System.getProperty("peer.test.mariadb.server", "jdbc:mariadb://127.0.0.1:3306/");
    public static final String MARIADB_USER = System.getProperty("peer.test.mariadb.user", "root");

    private TestDatabases() {
    }

    /**
     * An application of the given classes whose default datasource is the shared PostgreSQL, with a lease table of
     * the test's own.
     */
    public static QuarkusUnitTest postgres(String table, Class<?>... classes) {
        return new QuarkusUnitTest()
                .withApplicationRoot(jar -> jar.addClasses(classes))
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
    public static QuarkusUnitTest mariadb(String database, Class<?>... classes) {
        return new QuarkusUnitTest()
                .withApplicationRoot(jar -> jar.addClasses(classes))
                .overrideConfigKey("quarkus.datasource.db-kind", "mariadb")
                .overrideConfigKey("quarkus.datasource.jdbc.url",
                        MARIADB_SERVER + database + "?createDatabaseIfNotExist=true")
                .overrideConfigKey("quarkus.datasource.username", MARIADB_USER)
                .overrideConfigKey("quarkus.devservices.enabled", "false");
    }

    /** An application whose default datasource is an H2 database in memory, private to it. */
    public static QuarkusUnitTest h2(String database, Class<?>... classes) {
        return new QuarkusUnitTest()
                .withApplicationRoot(jar -> jar.addClasses(classes))
                .overrideConfigKey("quarkus.datasource.db-kind", "h2")
                .overrideConfigKey("quarkus.datasource.jdbc.url", "jdbc:h2:mem:" + database + ";DB_CLOSE_DELAY=-1")
                .overrideConfigKey("quarkus.devservices.enabled", "false");
    }

    /** Drops a database of the shared MariaDB server, once the application that used it has stopped. */
    public static void dropMariaDbDatabase(String database) {
        try (Connection connection = DriverManager.getConnection(MARIADB_SERVER, MARIADB_USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop the MariaDB database " + database, e);
        }
    }

    /**
     * The application names of the shared PostgreSQL's sessions whose last statement was a {@code LISTEN}: the
     * connections that listen for released leases.
     */
    public static List<String> listeningApplications() {
        try (Connection connection = DriverManager.getConnection(PG_URL, PG_USER, "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT application_name FROM pg_stat_activity WHERE query LIKE 'LISTEN %'")) {
            List<String> names = new ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs statements on the shared PostgreSQL, outside any application. */
    public static void onPostgres(String... statements) {
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
    public static long queryPostgres(String sql) {
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
    public static String shipped(String resource) {
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
