package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.protocols.raft.LogEntry;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.raft.util.Utils;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;
import org.junit.jupiter.api.Test;

/**
 * In jgroups-raft 1.1.3 a voter answers a VoteRequest on a JGroups thread while RAFT's runner may
 * be in the middle of appending an AppendEntries of the old term that it accepted before the term changed (it checked
 * the term first, then reads current_term, then appends and fsyncs). The vote reports the log without that entry, the
 * runner then acknowledges it with the old term, and the old leader commits it: an entry committed in term T that the
 * leader of term T+1 does not have. Here the append is held (as a slow fsync would hold it) until the vote was
 * given; the stale acknowledgement must be dropped ({@link StaleVoteFilter}), so that the old leader cannot commit
 * the entry, nor lead on it.
 */
class AVoteDuringAnAppendLetsNoOldLeaderCommitTest {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration BOUND = Duration.ofSeconds(60);

    /** A log whose next write of a given owner's lease waits, before anything is written, until released. */
    static final class HeldLog extends GuardedLog {
        volatile String holdOwner;
        volatile Runnable onHold = () -> {
        };
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);

        HeldLog(Listener listener) {
            super(listener);
        }

        @Override
        protected long write(long index, LogEntries entries) {
            String owner = holdOwner;
            if (owner != null && contains(entries, owner)) {
                holdOwner = null;
                onHold.run();
                held.countDown();
                try {
                    go.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.write(index, entries);
        }

        private static boolean contains(LogEntries entries, String owner) {
            for (LogEntry e : entries) {
                try {
                    if (e.command() != null && !e.internal()
                            && LeaseEntry.decode(e.command(), e.offset(), e.length()).owner().equals(owner)) {
                        return true;
                    }
                } catch (Exception ignored) {
                    // not a lease
                }
            }
            return false;
        }
    }

    /** Drops incoming RAFT messages (only those) of one sender. */
    public static final class RaftFrom extends Protocol {
        static {
            ClassConfigurator.addProtocol((short) 1691, RaftFrom.class);
        }
        volatile Address dropped;
        private short raftId;

        @Override
        public void init() throws Exception {
            super.init();
            raftId = RAFT.findProtocol(RAFT.class, this, false).getId();
        }

        private boolean drop(Message m) {
            Address d = dropped;
            return d != null && d.equals(m.src()) && m.getHeader(raftId) != null;
        }

        @Override
        public Object up(Message message) {
            return drop(message) ? null : up_prot.up(message);
        }

        @Override
        public void up(MessageBatch batch) {
            for (Iterator<Message> it = batch.iterator(); it.hasNext();) {
                if (drop(it.next())) {
                    it.remove();
                }
            }
            if (!batch.isEmpty()) {
                up_prot.up(batch);
            }
        }
    }

    @Test
    void anAppendAcknowledgedAfterTheMembersVoteIsNeverCommittedForTheOldLeader() throws Exception {
        Map<String, HeldLog> logs = new ConcurrentHashMap<>();
        Map<String, RaftFrom> filters = new ConcurrentHashMap<>();
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            List<LocalGroup.Member> members = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                RaftFrom filter = new RaftFrom();
                filters.put(name, filter);
                members.add(group.create(name, LocalGroup.Options.defaults().logs(listener -> {
                    HeldLog log = new HeldLog(listener);
                    logs.put(name, log);
                    return log;
                }).protocols(list -> {
                    List<Protocol> all = new ArrayList<>(list);
                    all.add(1, filter);
                    return all;
                })));
            }
            group.startAll(members);
            LocalGroup.Member holder = await("one leader").atMost(BOUND).until(group::settledLeader, Optional::isPresent)
                    .orElseThrow();
            Address h = holder.member().channel().getAddress();
            List<LocalGroup.Member> others = new ArrayList<>();
            for (Address a : holder.member().channel().getView().getMembers()) {
                group.running.stream().filter(m -> m != holder && m.name.equals(Utils.extractRaftId(a)))
                        .forEach(others::add);
            }
            LocalGroup.Member w = others.get(0); // first in the view: wins a tie
            LocalGroup.Member v = others.get(1);
            long term = holder.member().leaderTerm();
            System.out.printf("holder %s term %d, w %s, v %s%n", holder, term, w, v);

            // right after a renewal: w stops receiving the holder's RAFT messages (only those: it still hears it)
            long before = holder.election.leadership().deadline();
            await().atMost(BOUND).until(() -> holder.election.leadership().deadline() != before);
            long renewedAt = holder.member().log().lastAppended();
            await("both followers stored the renewal").atMost(BOUND).until(() -> v.member().log().lastAppended()
                    == renewedAt && w.member().log().lastAppended() == renewedAt);
            filters.get(w.name).dropped = h;
            HeldLog vlog = logs.get(v.name);
            vlog.onHold = () -> {
                // from the moment v's runner holds the next renewal, neither hears the holder: both suspect it
                v.network.addIgnoreMember(h);
                w.network.addIgnoreMember(h);
            };
            vlog.holdOwner = holder.election.owner();
            assertThat(vlog.held.await(30, TimeUnit.SECONDS)).as("v's runner holds the renewal").isTrue();
            long heldAt = System.nanoTime();

            // w and v exclude the holder and elect w in term T+1 (v's vote reports its log without the renewal)
            await("w leads the Raft group in a later term").atMost(BOUND)
                    .until(() -> w.member().leaderTerm() > term);
            System.out.printf("w leads Raft term %d %d ms after v held the append; holder still Raft leader "
                    + "of %d: %s%n", w.member().leaderTerm(), (System.nanoTime() - heldAt) / 1_000_000, term,
                    holder.member().leaderTerm());
            long deadlineBefore = holder.election.leadership().deadline();
            vlog.go.countDown(); // the append ends; v acknowledges it with the old term

            try {
                // it may renew on the late acknowledgement, or not at all: both are reported, neither is waited out
                await().atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(20))
                        .until(() -> holder.election.leadership().deadline() != deadlineBefore);
            } catch (ConditionTimeoutException e) {
                // no renewal within the bound: reported below
            }
            System.out.printf("the holder renewed: %s; its deadline in %d ms%n",
                    holder.election.leadership().deadline() != deadlineBefore,
                    (holder.election.leadership().deadline() - System.nanoTime()) / 1_000_000);

            await("w leads").atMost(BOUND).until(w::leads);
            boolean holderStillLeads = holder.leads();
            System.out.printf("w leads; the holder still leads: %s (%d ms left); history %s%n",
                    holderStillLeads, (holder.election.leadership().deadline() - System.nanoTime()) / 1_000_000,
                    group.history());
            assertThat(holderStillLeads).as("two leaders at once: %s and %s", holder, w).isFalse();
            group.assertSafe();
        }
    }
}
