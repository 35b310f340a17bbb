package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * What a member applied is what its state machine applied, never what its log holds: jgroups-raft 1.1.3's
 * {@code RaftHandle.lastApplied()} returns the last appended index, which includes entries that no majority has
 * stored. An entry the leader appended but could not commit changes nothing that the peer reads.
 */
class LastAppliedTest {

    private static final Duration LEASE = Duration.ofSeconds(2);

    @Test
    void anEntryAppendedButNotCommittedIsNotTakenForApplied() throws Exception {
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            group.startAll("a", "b", "c");
            LocalGroup.Member leader = await().atMost(LEASE.multipliedBy(10))
                    .until(group::settledLeader, Optional::isPresent).orElseThrow();
            group.running.stream().filter(m -> m != leader).forEach(LocalGroup.Member::cut);
            long applied = leader.member().raft().commitIndex();

            byte[] phantom = LeaseEntry.lease(LocalGroup.INSTANCE, "phantom", "owner-phantom", 99, 60_000).encode();
            leader.member().submit(phantom);
            await().atMost(LEASE.multipliedBy(10)).until(() -> leader.member().raft().lastAppended() > applied);

            assertThat(leader.member().raft().lastAppended()).as("what RaftHandle.lastApplied() returns")
                    .isGreaterThan(leader.member().raft().commitIndex());
            assertThat(leader.member().applied().lease().owner()).as("the lease this member applied")
                    .isNotEqualTo("owner-phantom");
            group.assertSafe();
        }
    }
}
