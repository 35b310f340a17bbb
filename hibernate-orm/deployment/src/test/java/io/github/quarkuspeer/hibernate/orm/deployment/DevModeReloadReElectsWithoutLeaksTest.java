package io.github.quarkuspeer.hibernate.orm.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.logging.Level;

import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.testing.FreePorts;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.test.QuarkusDevModeTest;

/**
 * A live reload in dev mode stops the application and starts it again: the peer releases its lease and the new
 * application elects again at once, under a new identity, leaving no thread, {@code LISTEN} connection or failing
 * election behind. With {@code drop-and-create}, which runs again at the reload, the lease table and the rows of
 * other nodes stay.
 */
class DevModeReloadReElectsWithoutLeaksTest {

    static final int PORT = freePort();
    static final String TABLE = "peers_dev_reload";
    static final String APPLICATION = "peer-dev-reload";

    @RegisterExtension
    static final QuarkusDevModeTest dev = new QuarkusDevModeTest()
            .withApplicationRoot(jar -> jar.addClass(Note.class)
                    .addAsResource(new StringAsset(String.join("\n",
                            "quarkus.http.port=" + PORT,
                            "quarkus.devservices.enabled=false",
                            "quarkus.datasource.db-kind=postgresql",
                            "quarkus.datasource.jdbc.url=" + TestDatabases.PG_URL,
                            "quarkus.datasource.username=" + TestDatabases.PG_USER,
                            "quarkus.datasource.jdbc.additional-jdbc-properties.ApplicationName=" + APPLICATION,
                            "quarkus.hibernate-orm.schema-management.strategy=drop-and-create",
                            "quarkus.peer.table=" + TABLE,
                            "quarkus.peer.node=reload-a",
                            "quarkus.peer.interval=2s", "")), "application.properties"))
            .setLogRecordPredicate(record -> record.getLoggerName().startsWith("io.github.quarkuspeer")
                    && record.getLevel().intValue() >= Level.WARNING.intValue());

    @Test
    void theReloadReleasesAndElectsAgainAndLeavesNothingBehind() throws Exception {
        Lease first = await().atMost(Duration.ofSeconds(60)).until(() -> lease("<default>"),
                lease -> lease != null && lease.node().equals("reload-a"));
        DropAndCreateLeavesTheLeaseTableAloneTest.anotherNodeHoldsALease(TABLE);
        awaitOneListener();

        dev.modifyResourceFile("application.properties", text -> text.replace("reload-a", "reload-b"));
        request("/");

        Lease second = await().atMost(Duration.ofSeconds(60)).until(() -> lease("<default>"),
                lease -> lease != null && lease.node().equals("reload-b"));
        assertThat(second.owner()).as("a new identity").isNotEqualTo(first.owner());
        assertThat(second.token()).as("a new term").isGreaterThan(first.token());
        assertThat(lease("held-elsewhere")).as("another node's lease, through drop-and-create").isNotNull();
        awaitOneListener();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet()
                .stream().filter(Thread::isAlive).filter(t -> t.getName().startsWith("quarkus-peer-listener")))
                .as("listener threads").hasSize(1));
        assertThat(dev.getLogRecords()).as("warnings of the peer").isEmpty();
        TestDatabases.onPostgres("DELETE FROM " + TABLE + " WHERE name = 'held-elsewhere'");
    }

    record Lease(String node, String owner, long token) {
    }

    static Lease lease(String instance) throws SQLException {
        try (Connection connection = DriverManager.getConnection(TestDatabases.PG_URL, TestDatabases.PG_USER, "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT node, owner, fencing_token FROM " + TABLE
                        + " WHERE name = '" + instance + "' AND expires_at > now()")) {
            return rows.next() ? new Lease(rows.getString(1), rows.getString(2), rows.getLong(3)) : null;
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return null; // the table is not there yet
            }
            throw e;
        }
    }

    /** Exactly one connection of the application listens: the old application's went with it. */
    static void awaitOneListener() {
        await().atMost(Duration.ofSeconds(20)).until(() -> TestDatabases.queryPostgres(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + APPLICATION
                        + "' AND query LIKE 'LISTEN %'") == 1);
    }

    static void request(String path) throws Exception {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + path))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.discarding());
    }

    static int freePort() {
        return FreePorts.pick();
    }
}
