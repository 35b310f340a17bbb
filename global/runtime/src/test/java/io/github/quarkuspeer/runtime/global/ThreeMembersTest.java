package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.LeadershipChanged.Reason;

/**
 * Three members of one group over loopback, in one JVM, on real channels: one leads; a leader that leaves gracefully
 * is replaced within a second; a leader whose channel is killed without leaving is replaced within lease + 1 s; the
 * tokens grow with every change; no two claims ever overlap.
 */
class ThreeMembersTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration BOUND = LEASE.multipliedBy(10);

    @Test
    void oneLeadsAndAGracefulLeaderIsReplacedWithinASecondAndAKilledOneWithinLeasePlusOneSecond() {
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            group.startAll("a", "b", "c");
            LocalGroup.Member first = await("one leader all agree on").atMost(BOUND)
                    .until(group::settledLeader, java.util.Optional::isPresent).orElseThrow();
            long firstToken = first.election.fencingToken().orElseThrow();

            // graceful: release committed, then leave
            long stoppedAt = System.nanoTime();
            first.stop();
            LocalGroup.Member second = await("another leader").atMost(BOUND)
                    .until(() -> group.leaders().stream().findFirst(), java.util.Optional::isPresent).orElseThrow();
            long handover = electedAt(group, second) - stoppedAt;
            assertThat(Duration.ofNanos(handover)).as("graceful handover").isLessThan(Duration.ofSeconds(1));
            long secondToken = second.election.fencingToken().orElseThrow();
            assertThat(secondToken).isGreaterThan(firstToken);
            assertThat(first.events).extracting(LeadershipChanged::reason).endsWith(Reason.RESIGNED);

            // killed: the channel drops everything, and the process never releases
            group.start(first.name); // the graceful leader comes back, as a new process
            long killedAt = System.nanoTime();
            second.cut();
            LocalGroup.Member third = await("a leader other than the killed one").atMost(BOUND)
                    .until(() -> group.leaders().stream().filter(m -> m != second).findFirst(),
                            java.util.Optional::isPresent)
                    .orElseThrow();
            long failover = electedAt(group, third) - killedAt;
            assertThat(Duration.ofNanos(failover)).as("failover after the leader's channel was killed")
                    .isLessThan(LEASE.plusSeconds(1));
            assertThat(third.election.fencingToken().orElseThrow()).isGreaterThan(secondToken);
            await("the cut-off leader announces its loss").atMost(BOUND)
                    .until(() -> second.events.stream().anyMatch(e -> e.reason() == Reason.LOST));

            Map<String, Long> tokens = group.history().stream()
                    .collect(Collectors.toMap(c -> c.process, c -> c.token, Math::max));
            System.out.printf("graceful handover %d ms, failover after a kill %d ms (lease %d ms), tokens %s%n",
                    handover / 1_000_000, failover / 1_000_000, LEASE.toMillis(), tokens);
            group.assertSafe();
        }
    }

    /** When the member last announced that it leads. */
    private static long electedAt(LocalGroup group, LocalGroup.Member member) {
        return group.history().stream().filter(c -> c.process.equals(member.process)).mapToLong(c -> c.from).max()
                .orElseThrow();
    }
}
