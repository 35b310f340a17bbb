package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.jgroups.protocols.raft.LogEntries;
import org.junit.jupiter.api.Test;

/**
 * A follower whose disk silently fails a write does not acknowledge the entry. jgroups-raft's file log prints the
 * {@code IOException} and returns, and the follower then answers as if it had stored the entry: with the other
 * follower cut off, that "phantom" acknowledgement commits an entry held by one member of three. Here the guarded log
 * sees that the entry did not reach it, fails, and stops acknowledging; the member leaves the group and says why.
 */
class SwallowedWriteErrorTest {

    private static final Duration LEASE = Duration.ofSeconds(2);

    /** A log whose writes fail the way the library lets them fail: nothing written, nothing thrown. */
    static final class SilentlyFailingLog extends GuardedLog {
        volatile boolean failing;

        SilentlyFailingLog(Listener listener) {
            super(listener);
        }

        @Override
        protected long write(long index, LogEntries entries) {
            return failing ? lastAppended() : super.write(index, entries);
        }
    }

    @Test
    void anEntryThatAFollowerFailedToStoreIsNotCommittedOnItsWord() throws Exception {
        Map<String, SilentlyFailingLog> logs = new ConcurrentHashMap<>();
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            group.startAll(List.of("a", "b", "c").stream().map(name -> group.create(name, LocalGroup.Options
                    .defaults().logs(listener -> logs.computeIfAbsent(name, n -> new SilentlyFailingLog(listener)))))
                    .toList());
            LocalGroup.Member leader = await().atMost(LEASE.multipliedBy(10))
                    .until(group::settledLeader, Optional::isPresent).orElseThrow();
            List<LocalGroup.Member> followers = group.running.stream().filter(m -> m != leader).toList();
            LocalGroup.Member failing = followers.get(0);
            followers.get(1).cut(); // the leader now needs the failing follower's acknowledgement

            logs.get(failing.name).failing = true;
            CompletableFuture<?> entry = leader.member().submit(new byte[] {42});

            await("the entry is not committed").during(Duration.ofSeconds(2)).atMost(LEASE.multipliedBy(10))
                    .until(() -> !entry.isDone() || entry.isCompletedExceptionally());
            await("the failing follower says why it left").atMost(LEASE.multipliedBy(10))
                    .until(() -> String.valueOf(failing.member().unavailable()).contains("Raft log of this node failed"));
            assertThat(logs.get(failing.name).failure()).hasMessageContaining("did not reach the log");
            group.assertSafe();
        }
    }
}
