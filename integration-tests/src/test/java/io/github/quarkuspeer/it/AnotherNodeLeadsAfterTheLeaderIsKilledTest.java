package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static io.github.quarkuspeer.it.FaultTests.FAILOVER_BOUND;
import static io.github.quarkuspeer.it.FaultTests.SETTLE_BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * {@code kill -9} of the leader, twice: the leader gets no chance to release its lease, so another node must take it
 * over once it expires, and never before.
 */
class AnotherNodeLeadsAfterTheLeaderIsKilledTest {

    @Test
    void anotherNodeLeadsWithinTheBoundAndNoClaimsOverlap() {
        try (PrivatePostgres pg = PrivatePostgres.start();
                Cluster cluster = FaultTests.cluster(Database.postgres(pg), getClass()).build()) {
            cluster.start("n1");
            cluster.startAll("n2", "n3");
            Node leader = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);

            for (int round = 1; round <= 2; round++) {
                Node killed = leader;
                long token = killed.peers().instance(DEFAULT).fencingToken();
                long killedAt = killed.kill();
                leader = cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node != killed);

                assertThat(leader.peers().instance(DEFAULT).fencingToken()).isGreaterThan(token);
                Claim taken = cluster.history().firstClaimFrom(DEFAULT, killedAt).orElseThrow();
                FaultTests.report(cluster, "kill -9 of " + killed + ": " + taken.node() + " leads after "
                        + FaultTests.millis(taken.from() - killedAt) + " (lease " + cluster.lease().toMillis()
                        + " ms)");
            }
            assertThat(cluster.running()).containsExactly(leader);

            History history = cluster.history();
            FaultTests.report(cluster, "history:\n" + history.summary());
            history.assertSafe();
        }
    }
}
