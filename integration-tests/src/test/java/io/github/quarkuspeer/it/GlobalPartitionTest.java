package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static io.github.quarkuspeer.it.FaultTests.FAILOVER_BOUND;
import static io.github.quarkuspeer.it.FaultTests.LEASE;
import static io.github.quarkuspeer.it.FaultTests.REPORTS;
import static io.github.quarkuspeer.it.FaultTests.SETTLE_BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A real network partition of the global build: three processes, each in a network namespace of its own, joined by a
 * bridge; one member's link is cut and healed. The side with a majority leads; the minority side has no leader once
 * the old lease has run out, and its readiness check goes DOWN; the claim histories show no overlap, across the cut
 * and the heal. First the leader is cut off (the leader on the minority side), then a follower. Needs root.
 */
class GlobalPartitionTest {

    private static final List<String> NAMES = List.of("n1", "n2", "n3");

    @Test
    void theMajoritySideLeadsAndTheMinoritySideNeverDoes() {
        assumeTrue(NetworkNamespaces.available(), "network namespaces need root and iproute2");
        try (NetworkNamespaces net = NetworkNamespaces.create(NAMES);
                Cluster cluster = FaultTests.cluster(Database.global(net.raftHosts()), getClass()).build()) {
            cluster.startAll(NAMES.stream()
                    .map(n -> NodeSpec.named(n).inNetworkNamespace(net.namespace(n), net.httpHost(n))).toList());
            Node leader = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            cluster.awaitLeader(REPORTS, SETTLE_BOUND);

            // the leader alone on its side
            long cutAt = System.nanoTime();
            net.cut(leader.name());
            FaultTests.report(cluster, "cut " + leader + " off the others");
            Node majorityLeader = awaitLeaderAmong(cluster, others(cluster, leader));
            Claim taken = cluster.history().firstClaimFrom(DEFAULT, cutAt).orElseThrow();
            FaultTests.report(cluster, majorityLeader + " leads the majority side after "
                    + FaultTests.millis(taken.from() - cutAt));
            assertNoLeaderOnceTheLeaseRanOut(cluster, leader);
            net.heal(leader.name());
            FaultTests.report(cluster, "healed " + leader);
            Node afterHeal = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            FaultTests.report(cluster, "after the heal every node agrees that " + afterHeal + " leads");

            // a follower alone on its side: the leader goes on leading
            Node follower = others(cluster, afterHeal).get(0);
            net.cut(follower.name());
            FaultTests.report(cluster, "cut the follower " + follower + " off the others");
            assertNoLeaderOnceTheLeaseRanOut(cluster, follower);
            assertThat(awaitLeaderAmong(cluster, others(cluster, follower))).isEqualTo(afterHeal);
            net.heal(follower.name());
            cluster.awaitLeader(DEFAULT, SETTLE_BOUND);

            History history = cluster.history();
            FaultTests.report(cluster, "history:\n" + history.summary());
            history.assertSafe();
        }
    }

    private static List<Node> others(Cluster cluster, Node node) {
        return cluster.running().stream().filter(n -> n != node).toList();
    }

    /** Waits until exactly one of {@code side} leads the default instance and all of them name it. */
    private static Node awaitLeaderAmong(Cluster cluster, List<Node> side) {
        return Awaitility.await("one leader on the majority side").atMost(FAILOVER_BOUND)
                .pollInterval(java.time.Duration.ofMillis(100)).until(() -> {
                    Map<Node, PeersView> views = cluster.views();
                    List<Node> leaders = side.stream().filter(n -> views.containsKey(n) && views.get(n).leads(DEFAULT))
                            .toList();
                    if (leaders.size() != 1) {
                        return Optional.<Node>empty();
                    }
                    String name = leaders.get(0).name();
                    boolean agreed = side.stream().allMatch(n -> views.containsKey(n)
                            && name.equals(views.get(n).instance(DEFAULT).leaderNode()));
                    return agreed ? Optional.of(leaders.get(0)) : Optional.<Node>empty();
                }, Optional::isPresent).orElseThrow();
    }

    /**
     * The node cut off from the majority shows no leader and leads nothing once the lease it knew ran out, keeps it
     * so, and its readiness check goes DOWN once that has lasted longer than the lease.
     */
    private static void assertNoLeaderOnceTheLeaseRanOut(Cluster cluster, Node minority) {
        Awaitility.await("no leader on the minority side").atMost(FAILOVER_BOUND)
                .pollInterval(java.time.Duration.ofMillis(100)).until(() -> {
                    PeersView view = minority.peers();
                    return !view.leadsAny() && view.instance(DEFAULT).leaderNode() == null
                            && view.instance(REPORTS).leaderNode() == null;
                });
        Awaitility.await("still no leader on the minority side").during(LEASE.multipliedBy(2))
                .atMost(LEASE.multipliedBy(2).plus(FAILOVER_BOUND)).pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> {
                    PeersView view = minority.peers();
                    return !view.leadsAny() && view.instance(DEFAULT).leaderNode() == null;
                });
        Awaitility.await("the minority side's readiness DOWN").atMost(FAILOVER_BOUND)
                .pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> !minority.health().peerUp(DEFAULT));
    }
}
