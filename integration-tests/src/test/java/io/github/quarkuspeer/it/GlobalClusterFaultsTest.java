package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static io.github.quarkuspeer.it.FaultTests.FAILOVER_BOUND;
import static io.github.quarkuspeer.it.FaultTests.LEASE;
import static io.github.quarkuspeer.it.FaultTests.REPORTS;
import static io.github.quarkuspeer.it.FaultTests.SETTLE_BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The global build of the demo, three real processes on loopback, through the faults of the harness: kill -9 of the
 * leader, SIGTERM of the leader, SIGSTOP of the leader for longer than the lease, a second process with a running
 * node's name, and a restart of every member, after which the tokens keep growing. The claim histories of all
 * processes show no overlap.
 */
class GlobalClusterFaultsTest {

    @Test
    void killTermStopTwinAndFullRestartNeverMakeTwoLeaders() throws Exception {
        try (Cluster cluster = FaultTests.cluster(Database.global("n1", "n2", "n3"), getClass()).build()) {
            cluster.startAll("n1", "n2", "n3");
            Node first = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            cluster.awaitLeader(REPORTS, SETTLE_BOUND);

            // kill -9: no release; the others wait for the lease it may still hold
            long killedAt = first.kill();
            cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node != first);
            Claim taken = cluster.history().firstClaimFrom(DEFAULT, killedAt).orElseThrow();
            FaultTests.report(cluster, "kill -9 of " + first + ": " + taken.node() + " leads after "
                    + FaultTests.millis(taken.from() - killedAt) + " (lease " + LEASE.toMillis() + " ms)");
            cluster.start(first.name()); // it rejoins with its log

            // SIGTERM: a committed release, then the group elects and the next leader leads at once
            Node second = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            long stoppedAt = second.terminate();
            cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node != second);
            second.awaitExit(Duration.ofSeconds(30));
            Claim handed = cluster.history().firstClaimFrom(DEFAULT, stoppedAt).orElseThrow();
            FaultTests.report(cluster, "SIGTERM of " + second + ": " + handed.node() + " leads after "
                    + FaultTests.millis(handed.from() - stoppedAt));
            cluster.start(second.name());

            // SIGSTOP for longer than the lease: another leads; the resumed one says false from its first answer
            Node paused = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            long pausedAt = paused.pause();
            cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node != paused);
            long stoppedFor = LEASE.multipliedBy(3).dividedBy(2).toNanos();
            Awaitility.await("the pause lasts 1.5 leases").atMost(FAILOVER_BOUND).pollInterval(Duration.ofMillis(50))
                    .until(() -> System.nanoTime() - pausedAt > stoppedFor);
            CompletableFuture<PeersView> firstAnswer = paused.peersAsync(Duration.ofSeconds(30));
            paused.resume();
            PeersView answer = firstAnswer.get(30, TimeUnit.SECONDS);
            assertThat(answer.leadsAny()).as("the first answer of the resumed leader").isFalse();
            assertThat(cluster.history().claimAt(DEFAULT, answer.nanoTime())).hasValueSatisfying(
                    claim -> assertThat(claim.pid()).isNotEqualTo(paused.pid()));

            // a second process with a running node's name cannot start
            assertThatThrownBy(() -> cluster.start("n1")).hasMessageContaining("node 'n1'");

            // every member restarts: the terms, and the tokens with them, keep growing
            cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            long tokenBefore = highestToken(cluster.history());
            cluster.stop(Duration.ofSeconds(30));
            long restartedAt = System.nanoTime();
            cluster.startAll("n1", "n2", "n3");
            cluster.awaitLeader(DEFAULT, SETTLE_BOUND);
            long tokenAfter = cluster.history().firstClaimFrom(DEFAULT, restartedAt).orElseThrow().token();
            FaultTests.report(cluster, "restart of every member: token " + tokenBefore + " before, " + tokenAfter
                    + " after");
            assertThat(tokenAfter).isGreaterThan(tokenBefore);

            History history = cluster.history();
            FaultTests.report(cluster, "history:\n" + history.summary());
            history.assertSafe();
        }
    }

    private static long highestToken(History history) {
        return history.claims(DEFAULT).stream().mapToLong(Claim::token).max().orElseThrow();
    }
}
