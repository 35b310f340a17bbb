package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;

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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.runtime.election.LeaseStore.Gate;
import io.github.quarkuspeer.runtime.election.Observation;
import io.github.quarkuspeer.testing.PrivatePgBouncer;
import io.github.quarkuspeer.testing.PrivatePgBouncer.PoolMode;
import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * The peer's own statements through PgBouncer in transaction mode, with the driver's default settings: each
 * statement may run on another server connection, so none may leave a named statement behind for the next one.
 * <p>
 * PgBouncer hands out the server connection released last first, so a client alone would keep getting the same one
 * and never meet the problem. Here, after each statement of the store, another client begins a transaction that takes
 * the server connection just released (each holds a different one, which proves it), so the store's next statement
 * runs on a server connection it has never used. pgjdbc names a prepared statement on the server from its fifth
 * execution, and in autocommit hides the loss by preparing it again, so only the server's log shows it: the test
 * reads it.
 */
class PgBouncerTransactionModeTest {

    /** More than pgjdbc's default {@code prepareThreshold} of 5: the sixth execution would bind a named statement. */
    private static final int EXECUTIONS = 6;

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
