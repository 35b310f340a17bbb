package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static io.github.quarkuspeer.it.FaultTests.SETTLE_BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * Nodes whose wall clocks are ten minutes ahead and ten minutes behind the others (and twenty minutes apart from
 * each other). Leases are timed by the database clock and local deadlines by the monotonic clock, so these nodes
 * must neither take a live lease from a node with a true clock, nor hold one past its expiry.
 * <p>
 * If a node compared leases with its own wall clock, the node ahead would see every lease as long expired and take
 * it at once, and a lease it wrote would outlive it by ten minutes, so that no node could take over after its
 * {@code kill -9}; the node behind would do the opposite.
 */
class SkewedWallClocksChangeNothingTest {

    private static final Duration SHIFT = Duration.ofMinutes(10);

    /**
     * A lease with room for a late renewal (the leader renews every second either way), so that a loaded machine
     * cannot cost the leader its term while the test watches that nobody takes it.
     */
    private static final Duration LEASE = FaultTests.LEASE.compareTo(Duration.ofSeconds(4)) > 0 ? FaultTests.LEASE
            : Duration.ofSeconds(4);

    /** How long another node may take to lead after a fault: far beyond the expected one lease. */
    private static final Duration FAILOVER_BOUND = LEASE.multipliedBy(10);

    @Test
    void skewedNodesNeitherStealALiveLeaseNorKeepOnePastItsExpiry() {
        try (PrivatePostgres pg = PrivatePostgres.start();
                Cluster cluster = FaultTests.cluster(Database.postgres(pg), getClass()).lease(LEASE).build()) {
            Node trueClock = cluster.start("true-clock");
            List<Node> skewed = cluster.startAll(List.of(
                    NodeSpec.named("ahead-10m").withWallClockShift(SHIFT),
                    NodeSpec.named("behind-10m").withWallClockShift(SHIFT.negated())));
            for (Node node : skewed) {
                assertThat(wallClockOffset(node)).as("wall clock of " + node + ", from its log")
                        .isBetween(node.spec().wallClockShift().minusMinutes(1), node.spec().wallClockShift()
                                .plusMinutes(1));
            }

            // 1. Followers ahead and behind leave the true-clock leader's live lease alone.
            cluster.awaitLeader(DEFAULT, SETTLE_BOUND, node -> node == trueClock);
            assertSameTermFor(cluster, trueClock, 2);

            // 2. A skewed leader keeps its lease with a follower twenty minutes off, and it expires on time.
            trueClock.terminate();
            Node skewedLeader = cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, skewed::contains);
            assertSameTermFor(cluster, skewedLeader, 2);
            Node otherSkewed = skewed.get(0) == skewedLeader ? skewed.get(1) : skewed.get(0);
            long killedAt = skewedLeader.kill();
            cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node == otherSkewed);
            reportTakeover(cluster, skewedLeader, killedAt);

            // 3. The same with a true-clock follower, from the other skewed node.
            Node trueClockAgain = cluster.start("true-clock-2");
            assertSameTermFor(cluster, otherSkewed, 2);
            killedAt = otherSkewed.kill();
            cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node == trueClockAgain);
            reportTakeover(cluster, otherSkewed, killedAt);

            History history = cluster.history();
            FaultTests.report(cluster, "history:\n" + history.summary());
            history.assertSafe();
        }
    }

    /** For {@code leases} lease durations, {@code leader} leads in one term and no other node leads. */
    private static void assertSameTermFor(Cluster cluster, Node leader, int leases) {
        long token = leader.peers().instance(DEFAULT).fencingToken();
        Awaitility.await(leader.name() + " leading on in term " + token).during(LEASE.multipliedBy(leases))
                .atMost(LEASE.multipliedBy(leases).plus(FAILOVER_BOUND)).until(() -> {
                    Map<Node, PeersView> views = cluster.views();
                    PeersView view = views.get(leader);
                    return view != null && view.leads(DEFAULT) && view.instance(DEFAULT).fencingToken() == token
                            && views.values().stream().filter(v -> v.leads(DEFAULT)).count() == 1;
                });
        FaultTests.report(cluster, leader + " led in term " + token + " for " + leases + " leases, alone");
    }

    private static void reportTakeover(Cluster cluster, Node killed, long killedAt) {
        Claim taken = cluster.history().firstClaimFrom(DEFAULT, killedAt).orElseThrow();
        FaultTests.report(cluster, "kill -9 of " + killed + " (wall clock " + killed.spec().wallClockShift() + "): "
                + taken.node() + " leads after " + FaultTests.millis(taken.from() - killedAt) + " (lease "
                + LEASE.toMillis() + " ms)");
        assertThat(Duration.ofNanos(taken.from() - killedAt)).isLessThan(FAILOVER_BOUND);
    }

    /**
     * How far the node's wall clock is from this JVM's: the time of its last log line (written by the node from
     * its own wall clock, as {@code HH:mm:ss.SSS}) against the time now, on a 24-hour circle. The line was written
     * a little before now, so the result is a little less than the true offset.
     */
    private static Duration wallClockOffset(Node node) {
        List<String> lines = node.log().lines().filter(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d .*")).toList();
        assertThat(lines).as("timestamped log lines of " + node).isNotEmpty();
        LocalTime logged = LocalTime.parse(lines.get(lines.size() - 1).substring(0, 12),
                DateTimeFormatter.ofPattern("HH:mm:ss.SSS"));
        long day = Duration.ofDays(1).toMillis();
        long offset = Math.floorMod(Duration.between(LocalTime.now(), logged).toMillis(), day);
        return Duration.ofMillis(offset > day / 2 ? offset - day : offset);
    }
}
