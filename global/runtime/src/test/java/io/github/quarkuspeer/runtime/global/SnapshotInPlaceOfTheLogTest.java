package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A member that was away while the leader compacted its log is brought up to date with a snapshot in place of the
 * entries, and keeps it across a restart. jgroups-raft (1.1.3, 1.1.4) writes nothing where the snapshot's entry should
 * go, so after a restart the log looked empty and every entry acknowledged since the install was gone.
 */
class SnapshotInPlaceOfTheLogTest {

    private static final Duration LEASE = Duration.ofSeconds(2);

    @Test
    void aMemberThatInstalledASnapshotKeepsItsLogAcrossARestart() throws Exception {
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            group.startAll("a", "b", "c");
            LocalGroup.Member leader = await().atMost(LEASE.multipliedBy(10))
                    .until(group::settledLeader, Optional::isPresent).orElseThrow();
            LocalGroup.Member away = group.running.stream().filter(m -> m != leader).findFirst().orElseThrow();
            away.stop();

            for (int i = 0; i < 5; i++) {
                leader.member().submit(new byte[] {(byte) i}).get(10, TimeUnit.SECONDS);
            }
            leader.member().snapshot();
            long compactedTo = leader.member().log().firstAppended();
            assertThat(compactedTo).isPositive();

            LocalGroup.Member back = group.start(away.name);
            await("the snapshot installed").atMost(LEASE.multipliedBy(10))
                    .until(() -> back.member().log() != null && back.member().log().firstAppended() >= compactedTo);
            leader.member().submit(new byte[] {9}).get(10, TimeUnit.SECONDS);
            await("the entry after the snapshot stored").atMost(LEASE.multipliedBy(10))
                    .until(() -> back.member().log().lastAppended() > compactedTo);
            long stored = back.member().log().lastAppended();
            assertThat(back.member().applied()).as("the lease from the snapshot").isNotNull();

            back.stop();
            LocalGroup.Member restarted = group.start(away.name);
            assertThat(restarted.member().log().lastAppended()).as("the last index after the restart")
                    .isGreaterThanOrEqualTo(stored);
            assertThat(restarted.member().applied()).as("the lease after the restart").isNotNull();
            group.assertSafe();
        }
    }
}
