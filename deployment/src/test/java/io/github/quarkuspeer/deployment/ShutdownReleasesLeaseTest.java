package io.github.quarkuspeer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.testing.TestDatabases;
import io.quarkus.test.QuarkusUnitTest;

/**
 * When the application stops, a leading peer deletes its lease row and fires {@code RESIGNED}, so that another node
 * can take over at once.
 */
class ShutdownReleasesLeaseTest {

    static final String TABLE = "peers_shutdown";

    @RegisterExtension
    static final QuarkusUnitTest app = TestDatabases.postgres(TABLE, Recorder.class)
            .overrideConfigKey("quarkus.peer.node", "node-s")
            .setAfterUndeployListener(ShutdownReleasesLeaseTest::afterStop);

    /** Writes what it observes to system properties, which outlive the application's class loader. */
    @Singleton
    static class Recorder {
        void on(@Observes LeadershipChanged change) {
            System.setProperty("peer.test.shutdown." + change.reason(), Long.toString(change.fencingToken()));
        }
    }

    @Inject
    Peer peer;

    @Test
    void leads() {
        await().atMost(Duration.ofSeconds(20)).until(peer::isLeader);
        assertThat(leaseRows()).isEqualTo(1);
        System.setProperty("peer.test.shutdown.token", Long.toString(peer.fencingToken().getAsLong()));
    }

    static void afterStop() {
        assertThat(leaseRows()).as("lease rows after shutdown").isZero();
        String token = System.getProperty("peer.test.shutdown.token");
        assertThat(System.getProperty("peer.test.shutdown.RESIGNED")).as("RESIGNED event").isEqualTo(token);
    }

    static int leaseRows() {
        try (Connection connection = DriverManager.getConnection(TestDatabases.PG_URL, TestDatabases.PG_USER, "");
                PreparedStatement statement = connection
                        .prepareStatement("SELECT count(*) FROM " + TABLE + " WHERE name = ?")) {
            statement.setString(1, Peer.DEFAULT_INSTANCE);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
