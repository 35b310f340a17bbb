package io.github.quarkuspeer.it;

import static io.github.quarkuspeer.it.FaultTests.DEFAULT;
import static io.github.quarkuspeer.it.FaultTests.FAILOVER_BOUND;
import static io.github.quarkuspeer.it.FaultTests.LEASE;
import static io.github.quarkuspeer.it.FaultTests.REPORTS;
import static io.github.quarkuspeer.it.FaultTests.SETTLE_BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * SIGSTOP of the leader for longer than its lease, then SIGCONT: the paused process is like one stuck in a very
 * long garbage collection. Another node takes over once the lease expires; the paused node, when it runs again,
 * must not believe for a single answer that it still leads, though its election has not run since.
 */
class PausedLeaderAnswersNotLeaderWhenResumedTest {

    @Test
    void theResumedNodeSaysLeaderFalseFromItsFirstAnswerWhileAnotherLeads() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start();
                Cluster cluster = FaultTests.cluster(Database.postgres(pg), getClass()).build()) {
            cluster.start("n1");
            cluster.startAll("n2", "n3");
            Node paused = cluster.awaitLeader(DEFAULT, SETTLE_BOUND);

            long pausedAt = paused.pause();
            Node next = cluster.awaitLeader(DEFAULT, FAILOVER_BOUND, node -> node != paused);
            // The fault itself: the process stays stopped for one and a half leases in all.
            long stayStopped = pausedAt + LEASE.multipliedBy(3).dividedBy(2).toNanos() - System.nanoTime();
            if (stayStopped > 0) {
                TimeUnit.NANOSECONDS.sleep(stayStopped);
            }
            assertThat(cluster.leader(DEFAULT)).as("the leader while n1 is stopped").contains(next);

            // Sent while it is stopped, so these are the first requests it answers when it runs again.
            Duration wait = Duration.ofSeconds(30);
            CompletableFuture<Health> firstHealth = paused.healthAsync(wait);
            CompletableFuture<PeersView> firstPeers = paused.peersAsync(wait);
            long resumedAt = paused.resume();
            Health health = firstHealth.get(wait.toSeconds(), TimeUnit.SECONDS);
            PeersView peers = firstPeers.get(wait.toSeconds(), TimeUnit.SECONDS);

            FaultTests.report(cluster, "first answers of " + paused + " after SIGCONT: health " + health.peers()
                    + ", peers " + peers.instances());
            assertThat(health.leads(DEFAULT)).as("health leader of <default>").isFalse();
            assertThat(health.leads(REPORTS)).as("health leader of reports").isFalse();
            assertThat(peers.leadsAny()).as("/peers of the resumed node").isFalse();
            assertThat(peers.nanoTime()).isGreaterThan(resumedAt);

            History history = cluster.history();
            for (String instance : new String[] {DEFAULT, REPORTS}) {
                assertThat(history.claimAt(instance, peers.nanoTime())).as("the claim of " + instance
                        + " when the resumed node answered").hasValueSatisfying(
                                claim -> assertThat(claim.pid()).isNotEqualTo(paused.pid()));
            }
            assertThat(cluster.awaitLeader(DEFAULT, SETTLE_BOUND)).as("the leader once all nodes run").isNotEqualTo(
                    paused);

            history = cluster.history();
            Claim taken = history.firstClaimFrom(DEFAULT, pausedAt).orElseThrow();
            FaultTests.report(cluster, "SIGSTOP of " + paused + ": " + taken.node() + " leads after "
                    + FaultTests.millis(taken.from() - pausedAt) + " (lease " + LEASE.toMillis() + " ms)");
            FaultTests.report(cluster, "history:\n" + history.summary());
            history.assertSafe();
        }
    }
}
