package io.github.quarkuspeer.runtime.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.github.quarkuspeer.runtime.database.Cluster.Node;
import io.github.quarkuspeer.testing.TcpProxy;

/**
 * The {@code LISTEN} connection of a node: one that goes silent without closing (a NAT or load balancer dropped
 * it) is found by its probe and replaced, so that releases wake the followers again; and it is unregistered before
 * it goes back to the pool.
 */
class PostgresListenerTest {

    /** Long, so that a follower that takes a released lease fast can only have heard of it. */
    static final Duration MINUTE = Duration.ofMinutes(1);

    private static String randomTable(String prefix) {
        return prefix + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    }

    @Test
    void aListeningConnectionThatGoesSilentIsReplacedAndReleasesWakeTheFollowersAgain() throws Exception {
        String table = randomTable("silent_");
        try (TcpProxy proxy = TcpProxy.start("127.0.0.1", 5432);
                TestDatabase database = TestDatabase.postgres("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test")) {
            Schema.create(database.dataSource, database.dialect, table);
            try (Cluster cluster = new Cluster(database, table)) {
                cluster.listen();
                cluster.probeEvery(Duration.ofSeconds(1));
                Node a = cluster.node("jobs", "node-a", MINUTE, MINUTE);
                a.start().join();
                Node b = cluster.node("jobs", "node-b", MINUTE, MINUTE);
                b.start().join();
                assertThat(a.election.isLeader()).isTrue();
                assertThat(b.election.getLeader()).hasValue("node-a");

                // every connection open now goes silent; the idle ones leave the pool, the listening ones cannot
                proxy.blackholeOpenConnections();
                database.dataSource.flush(AgroalDataSource.FlushMode.IDLE);
                long heard = cluster.probesHeard(b);
                // b's probe goes unheard on the silent connection: it listens on a new one, whose probes arrive
                await().atMost(Duration.ofSeconds(30)).until(() -> cluster.probesHeard(b) >= heard + 2);

                a.release();
                // b's own schedule would not look again for a minute: only the notification can be this fast
                await().atMost(Duration.ofSeconds(15)).until(b.election::isLeader);
            } finally {
                try (TestDatabase direct = TestDatabase.postgres()) {
                    direct.dropTable(table);
                }
            }
        }
    }

    @Test
    void theListeningConnectionIsUnregisteredBeforeItGoesBackToThePool() throws Exception {
        String channel = randomTable("unlisten_");
        ExecutorService loop = Executors.newSingleThreadExecutor();
        // two connections: the listener's, and one for its probes
        try (TestDatabase database = TestDatabase.postgres("jdbc:postgresql://127.0.0.1:5432/test", 2)) {
            PostgresListener listener = new PostgresListener(database.dataSource, channel, Duration.ofMinutes(1),
                    Duration.ofSeconds(2), instance -> {
                    }, () -> {
                    });
            listener.start(loop);
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.listening() && listener.probesHeard() == 1);
            listener.close();
            assertThat(listener.listening()).isFalse();

            // whichever connection the pool lends next, neither listens on anything
            try (Connection first = database.dataSource.getConnection();
                    Connection second = database.dataSource.getConnection()) {
                assertThat(channels(first)).isZero();
                assertThat(channels(second)).isZero();
            }
        } finally {
            loop.shutdownNow();
        }
    }

    private static int channels(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_listening_channels()")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
