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
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.testing.PrivatePostgresPair;
import io.github.quarkuspeer.testing.PrivatePostgresPair.Replication;

/**
 * The PostgreSQL primary crashes while demo nodes lead, and its synchronous streaming replica is promoted; the nodes
 * reach it through a multi-host JDBC URL with {@code targetServerType=primary}. The replica has every commit the
 * primary acknowledged, the lease rows and the token sequence included, so no two nodes ever lead at once, the
 * cluster leads again within a lease and the promotion, a term begun on the promoted replica has a greater token
 * than every term before, and releases are heard there at once (the nodes listen again on the new primary).
 */
class PrimaryFailoverToASynchronousReplicaTest {

    @Test
    void noTwoLeadersAndTokensGrowAcrossThePromotionAndTheClusterLeadsAgainWithinALeaseAndThePromotion() {
        try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.SYNCHRONOUS);
                Cluster cluster = FaultTests.cluster(Database.postgres(pair.jdbcUrl(), "postgres", ""), getClass())
                        .build()) {
            cluster.start("n1");
            cluster.startAll("n2", "n3");
            cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            cluster.awaitLeader(REPORTS, SETTLE_BOUND);

            long killedAt = System.nanoTime();
            pair.primary().kill();
            long promoting = System.nanoTime();
            pair.standby().promote();
            long promotedAt = System.nanoTime();
            Duration promotion = Duration.ofNanos(promotedAt - promoting);
            FaultTests.report(cluster, "primary killed; replica promoted in " + FaultTests.millis(promotion.toNanos()));

            // Every claim granted by the old primary ends within a lease of the kill: one that reaches beyond was
            // granted by the promoted replica.
            long beyondTheOldPrimary = killedAt + cluster.lease().toNanos();
            for (String instance : List.of(DEFAULT, REPORTS)) {
                Awaitility.await(instance + " led on the promoted replica").atMost(FAILOVER_BOUND)
                        .until(() -> cluster.history().claims(instance).stream()
                                .anyMatch(c -> c.until() > beyondTheOldPrimary));
                History history = cluster.history();
                Duration leaderless = history.gaps(instance).stream().filter(g -> g.until() > killedAt)
                        .map(History.Gap::duration).reduce(Duration.ZERO, Duration::plus);
                FaultTests.report(cluster, instance + ": no leader for " + FaultTests.millis(leaderless.toNanos())
                        + " after the kill (lease " + cluster.lease().toMillis() + " ms, promotion "
                        + FaultTests.millis(promotion.toNanos()) + ")");
                // by design within a lease and the promotion; the bound allows as much again for a loaded machine
                assertThat(leaderless).as("time without a leader of %s after the kill", instance)
                        .isLessThan(cluster.lease().plus(promotion).multipliedBy(2));
            }
            long highestBefore = cluster.history().claims(DEFAULT).stream().filter(c -> c.from() < killedAt)
                    .mapToLong(Claim::token).max().orElseThrow();

            // a graceful handover on the new primary: the release's NOTIFY reaches nodes that listen there again
            Awaitility.await("every node listening on the promoted replica").atMost(FAILOVER_BOUND)
                    .until(() -> listening(pair.standby().jdbcUrl()) == cluster.running().size());
            Node leader = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            long stoppedAt = leader.terminate();
            Node next = cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node != leader);
            Awaitility.await("a claim after the release").atMost(FAILOVER_BOUND)
                    .until(() -> cluster.history().firstClaimFrom(DEFAULT, stoppedAt).isPresent());
            History history = cluster.history();
            History.Gap handover = history.gaps(DEFAULT).stream()
                    .filter(g -> g.before().pid() == leader.pid() && g.after().from() >= stoppedAt).findFirst()
                    .orElseThrow();
            FaultTests.report(cluster, "SIGTERM to " + leader + " on the promoted replica: " + next + " leads "
                    + FaultTests.millis(handover.duration().toNanos()) + " after the release, with token "
                    + handover.after().token() + " (highest before the kill " + highestBefore + ")");
            assertThat(handover.duration()).as("from the release to the next claim").isLessThan(Duration.ofSeconds(1));
            assertThat(handover.after().token()).as("a term begun on the promoted replica").isGreaterThan(highestBefore);

            FaultTests.report(cluster, "history:\n" + history.summary());
            history.assertSafe();
        }
    }

    /** How many sessions of the server at {@code url} listen for released leases. */
    private static int listening(String url) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
