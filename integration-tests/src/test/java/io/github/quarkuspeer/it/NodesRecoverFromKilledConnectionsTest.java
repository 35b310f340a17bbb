package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static io.github.quarkuspeer.it.FaultTests.FAILOVER_BOUND;
import static io.github.quarkuspeer.it.FaultTests.REPORTS;
import static io.github.quarkuspeer.it.FaultTests.SETTLE_BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * Every database connection of every node cut with {@code pg_terminate_backend}, three times, as an administrator
 * or a connection proxy might: pooled connections and the connection that listens for released leases. The nodes
 * must reconnect by themselves, listen again, and keep one leader.
 */
class NodesRecoverFromKilledConnectionsTest {

    @Test
    void nodesReconnectListenAgainAndKeepOneLeader() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start();
                Cluster cluster = FaultTests.cluster(Database.postgres(pg), getClass()).build()) {
            cluster.start("n1");
            cluster.startAll("n2", "n3");
            Set<String> everyNode = cluster.nodes().stream().map(Node::applicationName).collect(Collectors.toSet());
            Awaitility.await("every node listening").atMost(SETTLE_BOUND).until(() -> listening(pg).equals(everyNode));
            Node leader = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);

            for (int round = 1; round <= 3; round++) {
                long token = leader.peers().instance(DEFAULT).fencingToken();
                int killed = pg.terminateConnections("peer-node-%");
                assertThat(killed).as("connections cut, one listening per node at least").isGreaterThanOrEqualTo(3);

                Awaitility.await("every node listening again").atMost(SETTLE_BOUND)
                        .until(() -> listening(pg).equals(everyNode));
                leader = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
                cluster.awaitLeader(REPORTS, SETTLE_BOUND);
                Awaitility.await("every node UP").atMost(SETTLE_BOUND).until(() -> {
                    Map<Node, Health> healths = cluster.healths();
                    return healths.size() == 3
                            && healths.values().stream().allMatch(h -> h.peerUp(DEFAULT) && h.peerUp(REPORTS));
                });
                long now = leader.peers().instance(DEFAULT).fencingToken();
                FaultTests.report(cluster, "cut " + killed + " connections; " + leader.name() + " leads "
                        + (now == token ? "on, same term (token " + token + ")" : "a new term (token " + now + ")"));
            }

            // Released leases still wake the others: the listening connections work again. No lease was released
            // before, so a follower that heard one heard this one, on a connection opened after the last cut.
            Node stopped = leader;
            assertThat(cluster.running().stream().filter(n -> n != stopped).noneMatch(n -> n.heardRelease(DEFAULT)))
                    .isTrue();
            long stoppedAt = stopped.terminate();
            Node next = cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node != stopped);
            assertThat(next.heardRelease(DEFAULT)).as("%s heard %s release its lease", next, stopped).isTrue();
            Claim taken = cluster.history().firstClaimFrom(DEFAULT, stoppedAt).orElseThrow();
            FaultTests.report(cluster, "SIGTERM to " + stopped + ": " + taken.node() + " leads after "
                    + FaultTests.millis(taken.from() - stoppedAt));

            History history = cluster.history();
            FaultTests.report(cluster, "history:\n" + history.summary());
            history.assertSafe();
        }
    }

    /** The application names of the sessions whose last statement was LISTEN: the nodes listening now. */
    private static Set<String> listening(PrivatePostgres pg) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("select application_name from pg_stat_activity"
                        + " where backend_type = 'client backend' and query ilike 'LISTEN %'")) {
            Set<String> names = new HashSet<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        }
    }
}
