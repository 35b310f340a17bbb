package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.runtime.database.Cluster.Node;
import io.github.quarkuspeer.runtime.database.PostgresOutageTest.Captured;
import io.github.quarkuspeer.runtime.election.LeaseStore.Gate;
import io.github.quarkuspeer.runtime.election.Observation;
import io.github.quarkuspeer.testing.PrivatePgBouncer;
import io.github.quarkuspeer.testing.PrivatePgBouncer.PoolMode;
import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * The peer through PgBouncer, with the driver's default settings.
 * <p>
 * In transaction mode each statement may run on another server connection, so none may leave a named statement
 * behind for the next one; and {@code LISTEN} cannot work, since its registration stays on whichever server
 * connection ran it: the peer says so once, and releases are found on the followers' schedule, unless it listens
 * on a direct connection of its own. In session mode everything works.
 * <p>
 * PgBouncer hands out the server connection released last first, so a client alone would keep getting the same one
 * and never meet the problem. Here, after each statement of the store, another client begins a transaction that takes
 * the server connection just released (each holds a different one, which proves it), so the store's next statement
 * runs on a server connection it has never used. pgjdbc names a prepared statement on the server from its fifth
 * execution, and in autocommit hides the loss by preparing it again, so only the server's log shows it: the test
 * reads it.
 */
class PostgresThroughPgBouncerTest {

    /** More than pgjdbc's default {@code prepareThreshold} of 5: the sixth execution would bind a named statement. */
    private static final int EXECUTIONS = 6;

    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration LEASE = Duration.ofSeconds(2);
    /** Long, so that a follower that takes a released lease fast can only have heard of it. */
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private static PrivatePostgres server;

    private final List<Connection> holders = new ArrayList<>();
    private PrivatePgBouncer bouncer;

    @BeforeAll
    static void startServer() {
        server = PrivatePostgres.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void stopBouncer() throws SQLException {
        for (Connection holder : holders) {
            holder.close();
        }
        holders.clear();
        if (bouncer != null) {
            bouncer.close();
        }
    }

    @Test
    void theStoresStatementsWorkOnAnyServerConnectionWithTheDriversDefaults() throws Exception {
        bouncer = PrivatePgBouncer.start(server, PoolMode.TRANSACTION);
        String table = "pooled_peers";
        // one client connection: its statement cache counts every execution of the store's statements
        try (TestDatabase pooled = TestDatabase.postgres(bouncer.jdbcUrl(), 1)) {
            Schema.create(pooled.dataSource, pooled.dialect, table);
            JdbcLeaseStore store = new JdbcLeaseStore(pooled.dataSource, pooled.dialect, table, Duration.ofSeconds(2));
            long logOffset = size(server.logFile());
            List<Integer> serverConnections = new ArrayList<>();

            for (int i = 1; i <= EXECUTIONS; i++) {
                Optional<Observation> won = store.acquireOrRenew("jobs", "node-a", "owner-a", Duration.ofMinutes(1),
                        i > 1, Gate.OPEN);
                assertThat(won).as("acquire %d", i).hasValueSatisfying(lease -> {
                    assertThat(lease.owner()).isEqualTo("owner-a");
                    assertThat(lease.written()).isTrue();
                });
                serverConnections.add(holdLastServerConnection());

                assertThat(store.read("jobs", Gate.OPEN)).as("read %d", i)
                        .hasValueSatisfying(lease -> assertThat(lease.owner()).isEqualTo("owner-a"));
                serverConnections.add(holdLastServerConnection());

                assertThat(store.release("jobs", "owner-b")).as("another owner's release %d", i).isFalse();
                serverConnections.add(holdLastServerConnection());
            }
            assertThat(store.release("jobs", "owner-a")).isTrue();

            assertThat(serverConnections).as("every statement ran on a server connection not used before")
                    .doesNotHaveDuplicates();
            assertThat(readFrom(server.logFile(), logOffset)).as("the server's log")
                    .doesNotContain("prepared statement");
        }
    }

    @Test
    void withoutADirectConnectionEachNodeSaysOnceThatNotificationsDoNotArriveAndFollowersFindReleasesOnTheirOwn()
            throws Exception {
        bouncer = PrivatePgBouncer.start(server, PoolMode.TRANSACTION);
        Logger listenerLog = Logger.getLogger(PostgresListener.class.getName());
        Captured log = new Captured();
        listenerLog.addHandler(log);
        try (TestDatabase pooled = TestDatabase.postgres(bouncer.jdbcUrl())) {
            Schema.create(pooled.dataSource, pooled.dialect, "unheard_peers");
            try (Cluster cluster = new Cluster(pooled, "unheard_peers")) {
                cluster.listen();
                Node[] nodes = startTwo(cluster, INTERVAL, LEASE);
                Node a = nodes[0];
                Node b = nodes[1];

                // each node finds it at its first probe, and again at every reconnection, yet says it once
                await().atMost(PATIENCE).until(() -> cluster.probesUnheard(a) >= 2 && cluster.probesUnheard(b) >= 2);
                assertThat(log.count(Level.WARNING, "do not arrive on the listening connection")).isEqualTo(2);
                assertThat(log.records).filteredOn(r -> r.getLevel() == Level.WARNING).allSatisfy(
                        r -> assertThat(r.getMessage()).contains("pool_mode=transaction")
                                .contains("quarkus.peer.notify-datasource"));
                assertThat(cluster.probesHeard(a) + cluster.probesHeard(b)).isZero();

                long released = System.nanoTime();
                a.release();
                await().atMost(LEASE.multipliedBy(10)).until(b.election::isLeader);
                long took = System.nanoTime() - released;
                System.out.printf("without a direct connection node-b led %d ms after the release (lease %d ms)%n",
                        took / 1_000_000, LEASE.toMillis());
                assertThat(log.count(Level.WARNING, "do not arrive on the listening connection")).isEqualTo(2);
            }
        } finally {
            listenerLog.removeHandler(log);
        }
    }

    @Test
    void aDirectConnectionForNotificationsWakesTheFollowersAtOnce() throws Exception {
        bouncer = PrivatePgBouncer.start(server, PoolMode.TRANSACTION);
        try (TestDatabase pooled = TestDatabase.postgres(bouncer.jdbcUrl());
                TestDatabase direct = TestDatabase.postgres(server.jdbcUrl(), 2)) {
            Schema.create(pooled.dataSource, pooled.dialect, "direct_peers");
            try (Cluster cluster = new Cluster(pooled, "direct_peers")) {
                cluster.listen();
                cluster.listenOn(direct);
                aReleaseWakesTheFollowerAtOnce(cluster);
            }
        }
    }

    @Test
    void inSessionModeTheStoreAndTheNotificationsWorkThroughThePooler() throws Exception {
        bouncer = PrivatePgBouncer.start(server, PoolMode.SESSION);
        try (TestDatabase pooled = TestDatabase.postgres(bouncer.jdbcUrl())) {
            Schema.create(pooled.dataSource, pooled.dialect, "session_peers");
            try (Cluster cluster = new Cluster(pooled, "session_peers")) {
                cluster.listen();
                aReleaseWakesTheFollowerAtOnce(cluster);
            }
        }
    }

    /** Starts node-a, then node-b, of one instance, and checks that node-a leads. */
    private static Node[] startTwo(Cluster cluster, Duration interval, Duration lease) {
        Node a = cluster.node("jobs", "node-a", interval, lease);
        a.start().join();
        Node b = cluster.node("jobs", "node-b", interval, lease);
        b.start().join();
        assertThat(a.election.isLeader()).isTrue();
        return new Node[] { a, b };
    }

    /**
     * With notifications arriving (every probe heard), node-a's release wakes node-b at once: its own schedule, a
     * minute long, would not look again for that long.
     */
    private static void aReleaseWakesTheFollowerAtOnce(Cluster cluster) {
        Node[] nodes = startTwo(cluster, MINUTE, MINUTE);
        Node a = nodes[0];
        Node b = nodes[1];
        await().atMost(PATIENCE).until(() -> cluster.probesHeard(a) >= 1 && cluster.probesHeard(b) >= 1);

        a.release();
        await().atMost(PATIENCE).until(b.election::isLeader);
        assertThat(cluster.probesUnheard(a) + cluster.probesUnheard(b)).isZero();
    }

    /**
     * Begins a transaction on a client of its own, which PgBouncer gives the server connection released last, and
     * keeps it open until the test ends; returns that connection's backend pid.
     */
    private int holdLastServerConnection() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", bouncer.user());
        props.setProperty("prepareThreshold", "0");
        Connection holder = DriverManager.getConnection(bouncer.jdbcUrl(), props);
        holders.add(holder);
        holder.setAutoCommit(false);
        try (Statement statement = holder.createStatement();
                ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static long size(Path log) {
        try {
            return Files.size(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readFrom(Path log, long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            return new String(Arrays.copyOfRange(all, (int) Math.min(offset, all.length), all.length),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
