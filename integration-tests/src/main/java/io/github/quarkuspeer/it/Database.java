package io.github.quarkuspeer.it;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * The database every node of a {@link Cluster} elects its leaders in, and the demo build that speaks to it.
 * <p>
 * The demo keeps its leases in the table {@code demo_peers}, fixed when it was packaged. Two clusters on one
 * database would therefore share leases: give each cluster a database of its own (a {@link PrivatePostgres}, a
 * fresh H2 directory, or a database created for it on a shared server).
 */
public sealed interface Database {

    /** The demo build whose packaged database kind matches this database. */
    DemoBuild build();

    /**
     * The JDBC URL a node connects with. Where the database can tag connections, they carry
     * {@code applicationName}, so that a fault can pick out one node's connections.
     */
    String jdbcUrl(String applicationName);

    String user();

    String password();

    /** A PostgreSQL database that the test may stop, restart and cut off: the PostgreSQL build of the demo. */
    static Postgres postgres(PrivatePostgres server) {
        return new Postgres(server.jdbcUrl(), server.user(), "", server);
    }

    /**
     * A PostgreSQL database the test must not stop (for example one created for the test on a shared server): the
     * PostgreSQL build of the demo.
     */
    static Postgres postgres(String jdbcUrl, String user, String password) {
        return new Postgres(jdbcUrl, user, password, null);
    }

    /**
     * An H2 database in files under {@code directory}, in automatic mixed mode: the first node to open it serves it
     * to the others, and another node takes over serving when that one exits. The default build of the demo.
     */
    static H2File h2(Path directory) {
        return new H2File(directory.toAbsolutePath());
    }

    /**
     * PostgreSQL. Connections carry the node's name as {@code application_name}, which
     * {@link PrivatePostgres#terminateConnections(String)} matches.
     *
     * @param server the private server behind the URL, or {@code null} for a server the test must not touch
     */
    record Postgres(String url, String user, String password, PrivatePostgres server) implements Database {

        @Override
        public DemoBuild build() {
            return DemoBuild.POSTGRESQL;
        }

        @Override
        public String jdbcUrl(String applicationName) {
            return url + (url.contains("?") ? "&" : "?") + "ApplicationName="
                    + URLEncoder.encode(applicationName, StandardCharsets.UTF_8);
        }

        /**
         * The private server, for database faults.
         *
         * @throws IllegalStateException if this database is on a server that must not be stopped
         */
        public PrivatePostgres privateServer() {
            if (server == null) {
                throw new IllegalStateException(url + " is not a private server: it must not be stopped or cut off");
            }
            return server;
        }
    }

    /** H2 in files, in automatic mixed mode. */
    record H2File(Path directory) implements Database {

        @Override
        public DemoBuild build() {
            return DemoBuild.DEFAULT;
        }

        /**
         * H2 cannot tag connections, so {@code applicationName} is not used. {@code WRITE_DELAY=0} writes every
         * commit to the file at once, as the demo's own URL does: by default H2 writes commits up to half a second
         * late, so a node killed with {@code kill -9} while it serves the database would take the last leases
         * with it.
         */
        @Override
        public String jdbcUrl(String applicationName) {
            return "jdbc:h2:file:" + directory.resolve("peers") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
        }

        @Override
        public String user() {
            return "sa";
        }

        @Override
        public String password() {
            return "";
        }
    }
}
