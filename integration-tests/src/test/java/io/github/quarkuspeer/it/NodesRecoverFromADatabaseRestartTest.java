package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static io.github.quarkuspeer.it.FaultTests.REPORTS;
import static io.github.quarkuspeer.it.FaultTests.SETTLE_BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * The database goes down for longer than the lease, then comes back: every node stops leading by its own deadline
 * while nothing can be renewed, reports the outage in its health, and the cluster settles on one leader by itself
 * once the database is back.
 */
class NodesRecoverFromADatabaseRestartTest {

    @Test
    void nobodyLeadsDuringTheOutageAndOneNodeLeadsAfterIt() {
        try (PrivatePostgres pg = PrivatePostgres.start();
                Cluster cluster = FaultTests.cluster(Database.postgres(pg), getClass()).build()) {
            cluster.start("n1");
            cluster.startAll("n2", "n3");
            Node before = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            long tokenBefore = before.peers().instance(DEFAULT).fencingToken();

            long downAt = System.nanoTime();
            pg.stop();
            FaultTests.report(cluster, "database stopped");
            // The outage lasts until every node has stopped leading and says so in its health: the lease and more.
            Awaitility.await("every node DOWN and leading nothing").atMost(SETTLE_BOUND).until(() -> {
                Map<Node, Health> healths = cluster.healths();
                return healths.size() == 3 && healths.values().stream().allMatch(h -> !h.leads(DEFAULT)
                        && !h.leads(REPORTS) && !h.peerUp(DEFAULT) && !h.peerUp(REPORTS));
            });
            FaultTests.report(cluster, "every node is DOWN and leads nothing; health of " + before + ": "
                    + before.health().peers());

            long upAt = System.nanoTime();
            pg.startAgain();
            FaultTests.report(cluster, "database started again after " + FaultTests.millis(upAt - downAt));
            Node after = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            cluster.awaitLeader(REPORTS, SETTLE_BOUND);
            Awaitility.await("every node UP").atMost(SETTLE_BOUND).until(() -> {
                Map<Node, Health> healths = cluster.healths();
                return healths.size() == 3
                        && healths.values().stream().allMatch(h -> h.peerUp(DEFAULT) && h.peerUp(REPORTS));
            });
            assertThat(after.peers().instance(DEFAULT).fencingToken()).isGreaterThan(tokenBefore);

            History history = cluster.history();
            Claim first = history.firstClaimFrom(DEFAULT, upAt).orElseThrow();
            FaultTests.report(cluster, "after the restart " + first.node() + " leads after "
                    + FaultTests.millis(first.from() - upAt));
            assertThat(history.claims(DEFAULT)).as("no claim reaches into the outage's second half")
                    .noneMatch(c -> c.covers(upAt - 1));
            FaultTests.report(cluster, "history:\n" + history.summary());
            history.assertSafe();
        }
    }
}
