package io.github.quarkuspeer.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** Proves the outage a test gets from {@link PrivatePostgres} is real, and that the server comes back intact. */
class PrivatePostgresTest {

    @Test
    void startsStopsStartsAgainAndCloses() throws Exception {
        PrivatePostgres pg = PrivatePostgres.start();
        try {
            assertThat(pg.port()).isNotEqualTo(5432);
            assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres");
            assertThat(selectOne(pg)).isEqualTo(1);
            execute(pg, "create table survivor(id int); insert into survivor values (42)");

            pg.stop();
            assertThatThrownBy(() -> selectOne(pg)).isInstanceOf(SQLException.class);
            assertThat(portAccepts(pg.port())).isFalse();

            pg.startAgain();
            assertThat(selectOne(pg)).isEqualTo(1);
            assertThat(query(pg, "select id from survivor")).as("data kept across the restart").isEqualTo(42);

            pg.restart();
            assertThat(selectOne(pg)).isEqualTo(1);
        } finally {
            pg.close();
        }
        assertThat(portAccepts(pg.port())).isFalse();
        assertThatThrownBy(() -> selectOne(pg)).isInstanceOf(SQLException.class);
        pg.close(); // a second close is harmless
    }

    @Test
    void killCrashesTheServerAndStartAgainRecoversWhatWasCommitted() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start()) {
            execute(pg, "create table survivor(id int); insert into survivor values (42)");
            long logOffset = Jdbc.size(pg.logFile());

            pg.kill();
            assertThat(portAccepts(pg.port())).isFalse();
            assertThatThrownBy(() -> selectOne(pg)).isInstanceOf(SQLException.class);

            pg.startAgain();
            assertThat(Jdbc.readFrom(pg.logFile(), logOffset))
                    .contains("database system was interrupted")
                    .contains("redo starts at");
            assertThat(query(pg, "select id from survivor")).isEqualTo(42);
        }
    }

    @Test
    void promoteRefusesAServerThatIsNotAStandby() {
        try (PrivatePostgres pg = PrivatePostgres.start()) {
            assertThatThrownBy(pg::promote).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("promote: this server is not a standby");
        }
    }

    @Test
    void terminatesOnlyTheMatchingConnections() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start();
                Connection victim = connect(pg, "peer-victim");
                Connection bystander = connect(pg, "bystander")) {
            assertThat(pg.terminateConnections("peer-%")).isEqualTo(1);

            assertThatThrownBy(() -> victim.createStatement().execute("select 1")).isInstanceOf(SQLException.class);
            assertThat(bystander.createStatement().execute("select 1")).isTrue();
        }
    }

    private static int selectOne(PrivatePostgres pg) throws SQLException {
        return query(pg, "select 1");
    }

    private static int query(PrivatePostgres pg, String sql) throws SQLException {
        try (Connection c = connect(pg, "test"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void execute(PrivatePostgres pg, String sql) throws SQLException {
        try (Connection c = connect(pg, "test"); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Connection connect(PrivatePostgres pg, String applicationName) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("connectTimeout", "2");
        props.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(pg.jdbcUrl(), props);
    }

    private static boolean portAccepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
