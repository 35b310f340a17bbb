package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static io.github.quarkuspeer.it.FaultTests.FAILOVER_BOUND;
import static io.github.quarkuspeer.it.FaultTests.LEASE;
import static io.github.quarkuspeer.it.FaultTests.SETTLE_BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * Three processes with one node name, as when a deployment gives every replica the same name: leadership belongs
 * to a process, not to a name, so a twin can neither renew nor share the lease of another.
 */
class NodesWithTheSameNameNeverBothLeadTest {

    @Test
    void twinsNeverLeadTogetherAndTakeOverOnlyFromADeadOrLeavingTwin() {
        try (PrivatePostgres pg = PrivatePostgres.start();
                Cluster cluster = FaultTests.cluster(Database.postgres(pg), getClass()).build()) {
            Node first = cluster.start("twin");
            Node second = cluster.start("twin");
            cluster.awaitLeader(DEFAULT, SETTLE_BOUND, node -> node == first);
            assertNeverTwoLeadersFor(cluster, 3);

            long killedAt = first.kill();
            cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node == second);
            Claim taken = cluster.history().firstClaimFrom(DEFAULT, killedAt).orElseThrow();
            assertThat(taken.pid()).isEqualTo(second.pid());
            FaultTests.report(cluster, "kill -9 of the leading twin " + first + ": the twin " + second + " leads after "
                    + FaultTests.millis(taken.from() - killedAt));

            Node third = cluster.start("twin");
            assertNeverTwoLeadersFor(cluster, 3);
            assertThat(cluster.leader(DEFAULT)).contains(second);

            second.terminate();
            cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node == third);

            History history = cluster.history();
            FaultTests.report(cluster, "history:\n" + history.summary());
            assertThat(history.claims(DEFAULT)).extracting(Claim::node).containsOnly("twin");
            assertThat(history.claims(DEFAULT)).extracting(Claim::pid).contains(first.pid(), second.pid(),
                    third.pid());
            history.assertSafe();
        }
    }

    /** Polls the running twins for {@code leases} lease durations: at no poll do two of them lead. */
    private static void assertNeverTwoLeadersFor(Cluster cluster, int leases) {
        Awaitility.await("never two leaders").during(LEASE.multipliedBy(leases))
                .atMost(LEASE.multipliedBy(leases).plus(FAILOVER_BOUND)).until(() -> {
                    Map<Node, PeersView> views = cluster.views();
                    return views.values().stream().filter(v -> v.leads(DEFAULT)).count() <= 1;
                });
    }
}
