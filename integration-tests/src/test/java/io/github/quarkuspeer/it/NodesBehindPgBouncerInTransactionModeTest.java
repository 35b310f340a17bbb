package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static io.github.quarkuspeer.it.FaultTests.FAILOVER_BOUND;
import static io.github.quarkuspeer.it.FaultTests.SETTLE_BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.it.PeersView.InstanceView;
import io.github.quarkuspeer.testing.PrivatePgBouncer;
import io.github.quarkuspeer.testing.PrivatePgBouncer.PoolMode;
import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * Demo nodes whose datasource goes through PgBouncer in transaction mode, with the driver's default settings, as
 * much production PostgreSQL is reached: one leader at a time throughout, a killed leader replaced within the usual
 * bound, and a leader that shuts down handed over either within a second, when the nodes listen for releases on a
 * direct connection ({@code quarkus.peer.notify-datasource}), or, without one, within about a lease, at the
 * followers' next check, with one line in each node's log that says why.
 */
class NodesBehindPgBouncerInTransactionModeTest {

    /** The start of the one warning a node logs when notifications do not arrive. */
    static final String UNHEARD = "do not arrive on the listening connection";
    static final String NOTIFY_INACTIVE = "datasource notify (notify-datasource) is not active";

    /** Long, so that a handover within a second can only be the notification's doing. */
    static final Duration LONG_LEASE = FaultTests.LEASE.compareTo(Duration.ofSeconds(10)) > 0 ? FaultTests.LEASE
            : Duration.ofSeconds(10);

    @Test
    void withADirectConnectionForNotificationsAReleasedLeaseIsTakenOverWithinASecond() {
        try (PrivatePostgres pg = PrivatePostgres.start();
                PrivatePgBouncer bouncer = PrivatePgBouncer.start(pg, PoolMode.TRANSACTION);
                Cluster cluster = FaultTests.cluster(Database.postgres(bouncer.jdbcUrl(), bouncer.user(), ""),
                        getClass()).interval(LONG_LEASE).lease(LONG_LEASE)
                        .property("quarkus.datasource.notify.jdbc.url", pg.jdbcUrl())
                        .property("quarkus.datasource.notify.username", pg.user())
                        .build()) {
            Node leader = startThree(cluster);

            Duration handover = terminateAndMeasureHandover(cluster, leader);
            assertThat(handover).as("from the release to the next claim").isLessThan(Duration.ofSeconds(1));

            killAndAwaitFailover(cluster);
            for (Node node : cluster.nodes()) {
                assertThat(node.log()).as("log of " + node).doesNotContain(UNHEARD).doesNotContain(NOTIFY_INACTIVE);
            }
            assertSafe(cluster);
        }
    }

    @Test
    void withoutADirectConnectionEachNodeSaysOnceWhyAndAReleasedLeaseIsTakenOverWithinALease() {
        try (PrivatePostgres pg = PrivatePostgres.start();
                PrivatePgBouncer bouncer = PrivatePgBouncer.start(pg, PoolMode.TRANSACTION);
                Cluster cluster = FaultTests.cluster(Database.postgres(bouncer.jdbcUrl(), bouncer.user(), ""),
                        getClass()).build()) {
            Node leader = startThree(cluster);
            // each node finds it at its first probe, a moment after it starts listening
            Awaitility.await("every node warned that notifications do not arrive").atMost(SETTLE_BOUND)
                    .until(() -> cluster.running().stream().allMatch(node -> node.log().contains(UNHEARD)));

            Duration handover = terminateAndMeasureHandover(cluster, leader);
            // by design within one lease; the bound allows as much again for a loaded machine
            assertThat(handover).as("from the release to the next claim").isLessThan(cluster.lease().multipliedBy(2));

            killAndAwaitFailover(cluster);
            for (Node node : cluster.nodes()) {
                assertThat(occurrences(node.log(), UNHEARD)).as("warnings in the log of " + node).isEqualTo(1);
                assertThat(occurrences(node.log(), NOTIFY_INACTIVE)).as("lines in the log of " + node).isEqualTo(1);
            }
            String warning = cluster.nodes().get(0).log().lines().filter(line -> line.contains(UNHEARD)).findFirst()
                    .orElseThrow();
            FaultTests.report(cluster, "the one warning: " + warning);
            assertThat(warning).contains("pool_mode=transaction").contains("quarkus.peer.notify-datasource");
            assertSafe(cluster);
        }
    }

    /** Starts n1, then n2 and n3, and returns the leader of the default instance once all agree on it. */
    private static Node startThree(Cluster cluster) {
        cluster.start("n1");
        cluster.startAll("n2", "n3");
        return cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
    }

    /**
     * Stops the leader with SIGTERM and returns, for the default instance, the time from its release to the next
     * claim; reports the same for every instance it led.
     */
    private static Duration terminateAndMeasureHandover(Cluster cluster, Node leader) {
        List<String> led = leader.peers().instances().stream().filter(InstanceView::leader)
                .map(InstanceView::instance).toList();
        long stoppedAt = leader.terminate();
        cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node != leader);
        assertThat(leader.awaitExit(Duration.ofSeconds(30))).as("exit code after SIGTERM").isIn(0, 143);
        Duration defaultHandover = null;
        for (String instance : led) {
            Awaitility.await("a claim of " + instance + " after the release").atMost(FAILOVER_BOUND)
                    .until(() -> cluster.history().firstClaimFrom(instance, stoppedAt).isPresent());
            History history = cluster.history();
            History.Gap gap = history.gaps(instance).stream()
                    .filter(g -> g.before().pid() == leader.pid() && g.after().from() >= stoppedAt).findFirst()
                    .orElseThrow();
            FaultTests.report(cluster, "SIGTERM to " + leader + ": " + gap.after().node() + " leads " + instance
                    + " " + FaultTests.millis(gap.duration().toNanos()) + " after the release (lease "
                    + cluster.lease().toMillis() + " ms)");
            if (instance.equals(DEFAULT)) {
                defaultHandover = gap.duration();
            }
        }
        return defaultHandover;
    }

    /** Kills the leader of the default instance and waits until another node leads it; reports the time. */
    private static void killAndAwaitFailover(Cluster cluster) {
        Node leader = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
        long token = leader.peers().instance(DEFAULT).fencingToken();
        long killedAt = leader.kill();
        Node next = cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node != leader);
        assertThat(next.peers().instance(DEFAULT).fencingToken()).isGreaterThan(token);
        Claim taken = cluster.history().firstClaimFrom(DEFAULT, killedAt).orElseThrow();
        FaultTests.report(cluster, "kill -9 of " + leader + ": " + taken.node() + " leads after "
                + FaultTests.millis(taken.from() - killedAt) + " (lease " + cluster.lease().toMillis() + " ms)");
    }

    private static void assertSafe(Cluster cluster) {
        History history = cluster.history();
        FaultTests.report(cluster, "history:\n" + history.summary());
        history.assertSafe();
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
