package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jgroups.Address;
import org.jgroups.protocols.raft.LogEntry;
import org.jgroups.raft.util.Utils;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;

/**
 * A member reopened on its data directory counts every lease it stored as stored at the reopening: its snapshot's
 * first, then its log's, which are all newer. When the snapshot holds a released lease and the log after it the live
 * holder's renewals, the member must wait for the holder's lease, not take the release as the last word. (Fed the
 * other way round, as RAFT reads the snapshot during connect after the log, a reopened member claimed at once while
 * the holder still led.)
 */
class AReopenedMemberWaitsForTheHolderOfItsLogTest {

    private static final Duration LEASE = Duration.ofSeconds(20);
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final String GHOST = "ghost-owner";

    @Test
    void aMemberReopenedOnASnapshotOfAReleaseWaitsForTheHolderOfItsLog() throws Exception {
        Map<String, MessageDropper> drops = new ConcurrentHashMap<>();
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            List<LocalGroup.Member> created = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                MessageDropper drop = new MessageDropper();
                drops.put(name, drop);
                created.add(group.create(name, LocalGroup.Options.defaults().protocols(list -> {
                    List<Protocol> all = new ArrayList<>(list);
                    all.add(1, drop);
                    return all;
                })));
            }
            group.startAll(created);
            LocalGroup.Member holder = await("one leader").atMost(BOUND).until(group::settledLeader, Optional::isPresent)
                    .orElseThrow();
            List<LocalGroup.Member> others = inViewOrder(group, holder);
            System.out.printf("holder %s, others %s%n", holder, others);

            // 1. a graceful handover from "ghost" as it appears in the log: ghost's lease, then ghost's release. The
            // holder's next renewal (woken at once by the release) is stored by the followers but committed only
            // after they compacted their logs: a snapshot of "ghost released", then the holder's lease
            awaitRenewal(holder);
            long k = holder.member().log().lastAppended();
            MessageDropper holderDrop = drops.get(holder.name);
            holderDrop.drop = m -> holderDrop.ackedIndex(m) > k + 2;
            long term = holder.member().leaderTerm();
            var lease = holder.member().submit(
                    LeaseEntry.lease(LocalGroup.INSTANCE, "ghost", GHOST, term, LEASE.toMillis()).encode());
            var release = holder.member().submit(LeaseEntry.release(LocalGroup.INSTANCE, "ghost", GHOST, term)
                    .encode());
            lease.get(10, TimeUnit.SECONDS);
            release.get(10, TimeUnit.SECONDS);
            for (LocalGroup.Member m : others) {
                await("ghost released, applied by " + m).atMost(BOUND).until(() -> m.member().applied() != null
                        && GHOST.equals(m.member().applied().lease().owner()) && m.member().applied().released()
                        && m.member().log().lastAppended() > k + 2);
                m.member().snapshot();
                GuardedLog log = m.member().log();
                LogEntry first = log.get(log.firstAppended());
                LeaseEntry entry = LeaseEntry.decode(first.command(), first.offset(), first.length());
                assertThat(entry.released() && entry.owner().equals(GHOST))
                        .as("%s compacted up to ghost's release (first index %d, k %d)", m, log.firstAppended(), k)
                        .isTrue();
            }
            holderDrop.drop = msg -> false;

            // 2. the holder renews (twice: the renewal applied after a release wakes its election at once): its
            // lease entries now follow the snapshot in both followers' logs
            awaitRenewal(holder);
            AtomicLong seen = new AtomicLong(-1);
            await("the holder's renewals settle").atMost(BOUND).pollInterval(Duration.ofMillis(100))
                    .during(Duration.ofSeconds(2))
                    .until(() -> {
                        long now = holder.member().log().lastAppended();
                        return seen.getAndSet(now) == now;
                    });
            long lastIndex = holder.member().log().lastAppended();
            for (LocalGroup.Member m : others) {
                await().atMost(BOUND).until(() -> {
                    GuardedLog log = m.member().log();
                    LogEntry last = log.get(log.lastAppended());
                    return log.lastAppended() == lastIndex && LeaseEntry
                            .decode(last.command(), last.offset(), last.length()).owner()
                            .equals(holder.election.owner());
                });
            }

            // 3. both followers restart (one after the other: the holder keeps its majority), before the next renewal
            List<LocalGroup.Member> restarted = new ArrayList<>();
            for (LocalGroup.Member m : others) {
                m.stop();
                restarted.add(group.start(m.name));
            }
            assertThat(holder.member().log().lastAppended()).as("no entry during the restarts").isEqualTo(lastIndex);
            List<String> blockedBy = new ArrayList<>();
            for (LocalGroup.Member r : restarted) {
                blockedBy.add(r + " -> " + r.member().takeover().blocking(r.election.owner())
                        .map(s -> s.entry().owner() + (s.released() ? " (released)" : "")).orElse("nothing"));
            }
            System.out.printf("after the restarts, the holder %s (owner %s) leads: %s; blocked by: %s%n",
                    holder, holder.election.owner(), holder.leads(), blockedBy);

            // 4. the holder is cut off (a partition, or SIGSTOP) and keeps its lease until its deadline
            holder.cut();
            long cutAt = System.nanoTime();
            LocalGroup.Member next = await("a new leader").atMost(BOUND)
                    .until(() -> restarted.stream().filter(LocalGroup.Member::leads).findFirst(), Optional::isPresent)
                    .orElseThrow();
            boolean holderStillLeads = holder.leads();
            System.out.printf("%s leads %d ms after the cut; the cut-off holder %s still leads: %s (%d ms "
                    + "left); history %s%n", next, (System.nanoTime() - cutAt) / 1_000_000, holder, holderStillLeads,
                    (holder.election.leadership().deadline() - System.nanoTime()) / 1_000_000, group.history());
            assertThat(blockedBy).as("the restarted members must wait for the holder's lease")
                    .allMatch(s -> s.contains(holder.election.owner()));
            assertThat(holderStillLeads).as("two leaders at once: %s and %s", holder, next).isFalse();
            group.assertSafe();
        }
    }

    /** Waits for the holder's next renewal; returns its new deadline. */
    private static long awaitRenewal(LocalGroup.Member holder) {
        long before = holder.election.leadership().deadline();
        await("a renewal").atMost(BOUND).until(() -> holder.election.leadership().deadline() != before);
        return holder.election.leadership().deadline();
    }

    private static List<LocalGroup.Member> inViewOrder(LocalGroup group, LocalGroup.Member holder) {
        List<LocalGroup.Member> result = new ArrayList<>();
        for (Address a : holder.member().channel().getView().getMembers()) {
            String name = Utils.extractRaftId(a);
            group.running.stream().filter(m -> m != holder && m.name.equals(name)).forEach(result::add);
        }
        return result;
    }
}
