package io.github.quarkuspeer.testing;

import static io.github.quarkuspeer.testing.Jdbc.backendPid;
import static io.github.quarkuspeer.testing.Jdbc.connect;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.github.quarkuspeer.testing.PrivatePgBouncer.PoolMode;

/** Through PgBouncer in session mode a client keeps its server connection, so what fails in transaction mode works. */
class SessionPoolingTest {

    private static PrivatePostgres server;
    private static PrivatePgBouncer bouncer;

    @BeforeAll
    static void start() {
        server = PrivatePostgres.start();
        bouncer = PrivatePgBouncer.start(server, PoolMode.SESSION);
    }

    @AfterAll
    static void stop() {
        bouncer.close();
        server.close();
    }

    @Test
    void namedStatementsAndCommitWorkWithDefaultSettingsWhileOthersComeAndGo() throws SQLException {
        List<Integer> backends = new ArrayList<>();
        List<Connection> others = new ArrayList<>();
        try (Connection client = connect(bouncer.jdbcUrl());
                PreparedStatement ps = client.prepareStatement("select ?::int, pg_backend_pid()")) {
            client.setAutoCommit(false);
            for (int i = 1; i <= 8; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(i);
                    backends.add(rs.getInt(2));
                }
                client.commit();
                Connection other = connect(bouncer.jdbcUrl());
                others.add(other);
                other.setAutoCommit(false);
                assertThat(backendPid(other)).as("another client gets a server connection of its own")
                        .isNotEqualTo(backends.get(0));
            }
        } finally {
            for (Connection other : others) {
                other.close();
            }
        }
        assertThat(backends).containsOnly(backends.get(0));
    }

    @Test
    void listenReceivesANotificationSentThroughAnotherConnection() throws SQLException {
        try (Connection listener = connect(bouncer.jdbcUrl()); Connection direct = connect(server.jdbcUrl())) {
            listener.createStatement().execute("LISTEN peer_channel");

            direct.createStatement().execute("NOTIFY peer_channel, 'hello'");

            List<PGNotification> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                received.addAll(List.of(listener.unwrap(PGConnection.class).getNotifications(50)));
                return !received.isEmpty();
            });
            assertThat(received).singleElement().satisfies(n -> {
                assertThat(n.getName()).isEqualTo("peer_channel");
                assertThat(n.getParameter()).isEqualTo("hello");
            });
        }
    }
}
