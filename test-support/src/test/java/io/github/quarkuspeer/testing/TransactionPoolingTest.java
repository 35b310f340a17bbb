package io.github.quarkuspeer.testing;

import static io.github.quarkuspeer.testing.Jdbc.backendPid;
import static io.github.quarkuspeer.testing.Jdbc.connect;
import static io.github.quarkuspeer.testing.Jdbc.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

import io.github.quarkuspeer.testing.PrivatePgBouncer.PoolMode;

/**
 * What pgjdbc 42.7 meets through PgBouncer 1.18 in transaction mode, where session state stays on a server
 * connection that the client's next transaction may not get.
 * <p>
 * Under load that happens at random. These tests make it happen every time: after each transaction of the client
 * under test, another client begins a transaction that takes the server connection just released (PgBouncer hands
 * out the server connection released last first, {@code server_round_robin=0}; each test checks that it did), so the
 * client's next transaction runs on a server connection it has never used.
 * <p>
 * pgjdbc names a statement on the server ({@code S_1}, {@code S_2}, ...) from its fifth execution
 * ({@code prepareThreshold=5}), and names its own {@code COMMIT} at once unless the connection's
 * {@code prepareThreshold} is 0. A named statement lives on one server connection.
 */
class TransactionPoolingTest {

    private static final String MISSING_S1 = "26000 ERROR: prepared statement \"S_1\" does not exist";
    private static final int TRANSACTIONS = 8;

    private static PrivatePostgres server;

    private PrivatePgBouncer bouncer;
    private final List<Connection> holders = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        server = PrivatePostgres.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void startBouncer() {
        bouncer = PrivatePgBouncer.start(server, PoolMode.TRANSACTION);
    }

    @AfterEach
    void stopBouncer() throws SQLException {
        for (Connection holder : holders) {
            holder.close();
        }
        bouncer.close();
    }

    @Test
    void aClientAloneKeepsItsServerConnectionSoDefaultSettingsSeemToWork() throws SQLException {
        List<Integer> backends = new ArrayList<>();
        try (Connection client = connect(bouncer.jdbcUrl());
                PreparedStatement ps = client.prepareStatement("select ?::int, pg_backend_pid()")) {
            client.setAutoCommit(false);
            for (int i = 1; i <= TRANSACTIONS; i++) {
                ps.setInt(1, i);
                backends.add(backendOf(ps));
                client.commit();
            }
        }
        assertThat(backends).as("every transaction ran on the same server connection").containsOnly(backends.get(0));
    }

    @Test
    void withDefaultSettingsTheSecondCommitAndTheSixthExecutionFail() throws SQLException {
        List<String> outcomes = transactionsEachOnAnotherServerConnection("", false, false);

        assertThat(outcomes.get(0)).isEqualTo("ok");
        // pgjdbc prepared its COMMIT as S_1 on the first server connection.
        assertThat(outcomes.get(1)).isEqualTo("commit: " + MISSING_S1);
        assertThat(outcomes.subList(0, 5)).as("executions 1 to 5, before the statement is named")
                .noneMatch(outcome -> outcome.startsWith("execute"));
        assertThat(outcomes.get(5)).as("the sixth execution binds the statement named at the fifth")
                .matches("execute: 26000 ERROR: prepared statement \"S_\\d+\" does not exist");
    }

    @Test
    void prepareThresholdZeroOnTheStatementLeavesCommitNamed() throws SQLException {
        List<String> outcomes = transactionsEachOnAnotherServerConnection("", true, false);

        assertThat(outcomes).noneMatch(outcome -> outcome.startsWith("execute"));
        assertThat(outcomes.get(1)).isEqualTo("commit: " + MISSING_S1);
    }

    @Test
    void prepareThresholdZeroOnTheConnectionMakesEveryTransactionWork() throws SQLException {
        List<String> outcomes = transactionsEachOnAnotherServerConnection("?prepareThreshold=0", false, false);

        assertThat(outcomes).hasSize(TRANSACTIONS).containsOnly("ok");
    }

    @Test
    void inAutocommitTheDriverHidesTheMissingStatementByPreparingItAgain() throws SQLException {
        long logOffset = Jdbc.size(server.logFile());

        List<String> outcomes = transactionsEachOnAnotherServerConnection("", false, true);

        assertThat(outcomes).hasSize(TRANSACTIONS).containsOnly("ok");
        // Executions 6, 7 and 8 each failed once on the server; pgjdbc retried them with a new Parse.
        assertThat(Jdbc.readFrom(server.logFile(), logOffset).lines()
                .filter(line -> line.matches(".* ERROR:  prepared statement \"S_\\d+\" does not exist")))
                .hasSize(TRANSACTIONS - 5);
    }

    @Test
    void inAutocommitPrepareThresholdZeroOnTheStatementNamesNothing() throws SQLException {
        long logOffset = Jdbc.size(server.logFile());

        List<String> outcomes = transactionsEachOnAnotherServerConnection("", true, true);

        assertThat(outcomes).hasSize(TRANSACTIONS).containsOnly("ok");
        assertThat(Jdbc.readFrom(server.logFile(), logOffset)).doesNotContain("prepared statement");
    }

    @Test
    void aNamedStatementCanRunAnotherClientsStatementOfTheSameName() throws SQLException {
        try (Connection a = connect(bouncer.jdbcUrl());
                Connection b = connect(bouncer.jdbcUrl());
                PreparedStatement psA = a.prepareStatement("select 'A says ' || ?::text, pg_backend_pid()");
                PreparedStatement psB = b.prepareStatement("select 'B says ' || ?::text, pg_backend_pid()")) {
            for (int i = 1; i <= 5; i++) {
                assertThat(textOf(psA, "a" + i)).isEqualTo("A says a" + i); // the fifth names it S_1
            }
            Connection holder = connect(bouncer.jdbcUrl() + "?prepareThreshold=0");
            holders.add(holder);
            holder.setAutoCommit(false);
            backendPid(holder); // holds A's server connection, so that B names its S_1 on another
            for (int i = 1; i <= 5; i++) {
                assertThat(textOf(psB, "b" + i)).isEqualTo("B says b" + i);
            }
            holder.commit(); // A's server connection, with A's S_1, is now the first to be handed out

            assertThat(textOf(psB, "b6")).as("B's sixth execution binds S_1 on A's server connection")
                    .isEqualTo("A says b6");
        }
    }

    @Test
    void listenStaysOnTheServerConnectionAndItsNotificationIsDropped() throws SQLException {
        try (Connection listener = connect(bouncer.jdbcUrl()); Connection direct = connect(server.jdbcUrl())) {
            listener.createStatement().execute("LISTEN peer_channel");
            long logOffset = Jdbc.size(bouncer.logFile());

            direct.createStatement().execute("NOTIFY peer_channel, 'hello'");

            // The notification reaches the idle server connection, and PgBouncer throws it away.
            await().atMost(Duration.ofSeconds(10)).until(() -> Jdbc.readFrom(bouncer.logFile(), logOffset)
                    .contains("got packet 'A' from server when not linked"));
            queryString(listener, "select 1");
            assertThat(listener.unwrap(PGConnection.class).getNotifications()).isEmpty();
            // The registration stays on that server connection, for whichever client gets it next.
            try (Connection another = connect(bouncer.jdbcUrl())) {
                assertThat(queryString(another, "select string_agg(c, ',') from pg_listening_channels() c"))
                        .isEqualTo("peer_channel");
            }
        }
    }

    /**
     * Runs {@link #TRANSACTIONS} transactions of one client, each with one execution of the same prepared
     * statement, each on a server connection the client has not used before.
     *
     * @return per transaction {@code "ok"}, or the step that failed and its SQL state and message
     */
    private List<String> transactionsEachOnAnotherServerConnection(String urlParameters, boolean statementThresholdZero,
            boolean autocommit) throws SQLException {
        List<String> outcomes = new ArrayList<>();
        List<Integer> backends = new ArrayList<>();
        try (Connection client = connect(bouncer.jdbcUrl() + urlParameters);
                PreparedStatement ps = client.prepareStatement("select ?::int, pg_backend_pid()")) {
            if (statementThresholdZero) {
                ps.unwrap(PGStatement.class).setPrepareThreshold(0);
            }
            client.setAutoCommit(autocommit);
            for (int i = 1; i <= TRANSACTIONS; i++) {
                ps.setInt(1, i);
                String step = "execute";
                int backend = -1;
                try {
                    backend = backendOf(ps);
                    if (!autocommit) {
                        step = "commit";
                        client.commit();
                    }
                    outcomes.add("ok");
                } catch (SQLException e) {
                    outcomes.add(step + ": " + e.getSQLState() + " " + e.getMessage());
                    if (!autocommit) {
                        client.rollback();
                    }
                }
                int taken = occupyLastServerConnection();
                if (backend != -1) {
                    backends.add(backend);
                    assertThat(taken).as("the holder took the server connection of transaction " + i)
                            .isEqualTo(backend);
                }
            }
        }
        assertThat(backends).as("no transaction ran on a server connection used before").doesNotHaveDuplicates();
        return outcomes;
    }

    /** Begins a transaction that holds the server connection released last, and returns its backend pid. */
    private int occupyLastServerConnection() throws SQLException {
        Connection holder = connect(bouncer.jdbcUrl() + "?prepareThreshold=0");
        holders.add(holder);
        holder.setAutoCommit(false);
        return backendPid(holder);
    }

    private static int backendOf(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(2);
        }
    }

    private static String textOf(PreparedStatement ps, String parameter) throws SQLException {
        ps.setString(1, parameter);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
