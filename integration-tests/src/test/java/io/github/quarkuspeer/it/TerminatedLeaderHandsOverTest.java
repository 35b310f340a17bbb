package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.it.PeersView.InstanceView;
import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * SIGTERM to the leader, twice: it shuts down gracefully, deletes its leases and wakes the other nodes (PostgreSQL
 * {@code NOTIFY}), so another node leads long before the lease would have expired. Every node's {@code /q/metrics}
 * says which one leads.
 * <p>
 * The interval and the lease are 10 s here (or the tests' lease, if longer). A follower's own schedule could still
 * find a released lease within half of that by chance, so the test also checks that the new leader heard the
 * release notification before it led.
 */
class TerminatedLeaderHandsOverTest {

    private static final Duration LEASE = FaultTests.LEASE.compareTo(Duration.ofSeconds(10)) > 0 ? FaultTests.LEASE
            : Duration.ofSeconds(10);

    @Test
    void anotherNodeLeadsBeforeTheLeaseWouldHaveExpired() {
        try (PrivatePostgres pg = PrivatePostgres.start();
                Cluster cluster = FaultTests.cluster(Database.postgres(pg), getClass()).interval(LEASE).lease(LEASE)
                        .build()) {
            cluster.start("n1");
            cluster.startAll("n2", "n3");
            Node leader = cluster.awaitLeader(DEFAULT, FaultTests.SETTLE_BOUND);
            for (Node node : cluster.running()) {
                assertThat(node.metrics()).as("the meters of " + node)
                        .contains("peer_leader{kind=\"database\",peer_instance=\"<default>\"} "
                                + (node == leader ? "1.0" : "0.0"));
            }

            for (int round = 1; round <= 2; round++) {
                Node stopped = leader;
                List<String> led = stopped.peers().instances().stream().filter(InstanceView::leader)
                        .map(InstanceView::instance).toList();
                long stoppedAt = stopped.terminate();
                leader = cluster.awaitLeader(DEFAULT, LEASE.dividedBy(2), node -> node != stopped);
                assertThat(leader.heardRelease(DEFAULT)).as("%s heard %s release its lease", leader, stopped)
                        .isTrue();
                assertThat(stopped.awaitExit(Duration.ofSeconds(30))).as("exit code after SIGTERM")
                        .isIn(0, 143);
                assertThat(stopped.log()).contains("no longer leads instance <default>").contains("RESIGNED");

                History history = cluster.history();
                for (String instance : led) {
                    Claim taken = history.firstClaimFrom(instance, stoppedAt).orElseThrow();
                    FaultTests.report(cluster, "SIGTERM to " + stopped + ": " + taken.node() + " leads " + instance
                            + " after " + FaultTests.millis(taken.from() - stoppedAt) + " (lease " + LEASE.toMillis()
                            + " ms)");
                }
            }
            assertThat(cluster.running()).containsExactly(leader);

            History history = cluster.history();
            FaultTests.report(cluster, "history:\n" + history.summary());
            history.assertSafe();
        }
    }
}
