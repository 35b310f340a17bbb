package io.github.quarkuspeer.it;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.quarkuspeer.testing.FreePorts;
import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * The database every node of a {@link Cluster} elects its leaders in, and the demo build that speaks to it; or, for
 * the global build, the Raft groups its nodes form instead ({@link Global}).
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

    /**
     * System properties that a node of this name needs besides the cluster's (where it finds its peers); none unless
     * said otherwise.
     *
     * @param node the node's name
     * @param clusterDirectory the cluster's directory
     */
    default Map<String, String> nodeProperties(String node, Path clusterDirectory) {
        return Map.of();
    }

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

    /**
     * No shared database: the global build of the demo, whose nodes elect through Raft groups on loopback, each name a
     * member of both instances' groups on ports picked now.
     *
     * @param names the members; a node of another name cannot start
     */
    static Global global(String... names) {
        Map<String, String> hosts = new LinkedHashMap<>();
        for (String name : names) {
            hosts.put(name, "127.0.0.1");
        }
        return Global.at(hosts, true);
    }

    /**
     * The global build, its members at the given addresses (for example in network namespaces of their own), each on
     * ports 7800 (the default instance) and 7801 (reports).
     */
    static Global global(Map<String, String> hosts) {
        return Global.at(hosts, false);
    }

    /**
     * The members of the Raft groups of the demo's two instances. Every process that runs as a name keeps its logs in
     * {@code <cluster directory>/raft/<name>}, so that a restarted member finds its history, and a second process of
     * the same name finds the directory locked.
     *
     * @param hosts the address of each member
     * @param defaultPorts each member's port in the default instance's group
     * @param reportsPorts each member's port in the reports instance's group
     */
    record Global(Map<String, String> hosts, Map<String, Integer> defaultPorts, Map<String, Integer> reportsPorts)
            implements Database {

        static Global at(Map<String, String> hosts, boolean loopback) {
            Map<String, Integer> defaults = new LinkedHashMap<>();
            Map<String, Integer> reports = new LinkedHashMap<>();
            for (String name : hosts.keySet()) {
                defaults.put(name, loopback ? FreePorts.pick() : 7800);
                reports.put(name, loopback ? FreePorts.pick() : 7801);
            }
            return new Global(Map.copyOf(hosts), defaults, reports);
        }

        /** The {@code members} setting of a group. */
        public String members(Map<String, Integer> ports) {
            return ports.entrySet().stream().map(e -> e.getKey() + "@" + hosts.get(e.getKey()) + ":" + e.getValue())
                    .collect(Collectors.joining(","));
        }

        @Override
        public DemoBuild build() {
            return DemoBuild.GLOBAL;
        }

        /** The build names an H2 datasource that no instance uses: in memory, so that it leaves no file. */
        @Override
        public String jdbcUrl(String applicationName) {
            return "jdbc:h2:mem:unused";
        }

        @Override
        public String user() {
            return "sa";
        }

        @Override
        public String password() {
            return "";
        }

        @Override
        public Map<String, String> nodeProperties(String node, Path clusterDirectory) {
            return Map.of("quarkus.peer.global.members", members(defaultPorts),
                    "quarkus.peer.reports.global.members", members(reportsPorts),
                    "quarkus.peer.global.data-dir", clusterDirectory.resolve("raft").resolve(node).toString());
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
