package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.AppendEntriesRequest;
import org.jgroups.protocols.raft.InstallSnapshotRequest;
import org.jgroups.protocols.raft.LogEntry;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;

/**
 * A leader sends a member that lags a snapshot of its committed state, and sends it again while it has not heard
 * back: a member whose answer is slow gets the same snapshot after it appended, and acknowledged, the entries that
 * followed. Installed then, the repeat reset the log to the snapshot and erased those entries, whose acknowledgement
 * may have been the one that made them committed: a committed lease missing from a majority. Here the repeat is the
 * first snapshot delivered to the member's RAFT once more, after the member appended newer entries; the member must
 * keep them.
 */
class AStaleSnapshotKeepsAcknowledgedEntriesTest {

    private static final Duration LEASE = Duration.ofSeconds(20);
    private static final Duration BOUND = Duration.ofSeconds(90);

    @Test
    void aSnapshotThatArrivesAfterTheEntriesFollowingItErasesNone() throws Exception {
        Map<String, SnapshotReplay> replays = new ConcurrentHashMap<>();
        Map<String, WatchedLog> logs = new ConcurrentHashMap<>();
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            List<LocalGroup.Member> created = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                SnapshotReplay replay = new SnapshotReplay();
                replays.put(name, replay);
                created.add(group.create(name, LocalGroup.Options.defaults().protocols(list -> {
                    List<Protocol> all = new ArrayList<>(list);
                    all.add(1, replay);
                    return all;
                }).logs(listener -> {
                    WatchedLog log = new WatchedLog(listener);
                    logs.put(name, log);
                    return log;
                })));
            }
            group.startAll(created);
            LocalGroup.Member holder = await("one leader").atMost(BOUND).until(group::settledLeader, Optional::isPresent)
                    .orElseThrow();
            LocalGroup.Member member = group.running.stream().filter(m -> m != holder).findFirst().orElseThrow();
            SnapshotReplay replay = replays.get(member.name);
            WatchedLog memberLog = logs.get(member.name);
            long term = holder.member().leaderTerm();

            // 1. the member lags while the others commit entries (releases from an owner that never led: they change
            // nothing) and the leader compacts its log past the member's end
            replay.lagging = true;
            long lastBeforeLag = member.member().log().lastAppended();
            for (int i = 0; i < 3; i++) {
                submit(holder, term);
            }
            holder.member().snapshot();
            assertThat(holder.member().log().firstAppended()).as("the leader's log begins after the member's")
                    .isGreaterThan(lastBeforeLag + 1);

            // 2. it catches up through a snapshot, then appends newer entries
            replay.lagging = false;
            await("a snapshot for " + member).atMost(BOUND).until(() -> replay.first != null);
            long snapshotIndex = replay.lastIncludedIndex();
            long newer = submit(holder, term);
            await(member + " appends the newer entry").atMost(BOUND)
                    .until(() -> member.member().log().lastAppended() >= newer);
            assertThat(newer).isGreaterThan(snapshotIndex);

            // 3. the same snapshot once more, as a leader's resend delivers it; then one more entry, which the member's
            // RAFT handles after that snapshot
            replay.replay();
            long last = submit(holder, term);
            await(member + " appends the last entry").atMost(BOUND)
                    .until(() -> member.member().log().lastAppended() >= last);

            assertThat(holder.member().leaderTerm()).as("one term throughout").isEqualTo(term);
            assertThat(memberLog.erased).as("entries a snapshot erased from %s's log (last appended, snapshot index)",
                    member).isEmpty();
            assertThat(((GuardedRaft) member.member().raft()).snapshotsKept())
                    .as("the repeated snapshot (up to %d) acknowledged and not installed", snapshotIndex)
                    .isGreaterThanOrEqualTo(1);
            group.assertSafe();
        }
    }

    /** Submits a release of an owner that never led; returns its index once committed. */
    private static long submit(LocalGroup.Member holder, long term) throws Exception {
        holder.member().submit(LeaseEntry.release(LocalGroup.INSTANCE, "ghost", "ghost-owner", term).encode())
                .get(30, TimeUnit.SECONDS);
        return holder.member().log().lastAppended();
    }

    /** A log that notes every snapshot install that dropped entries it had appended. */
    static final class WatchedLog extends GuardedLog {

        final List<String> erased = new CopyOnWriteArrayList<>();

        WatchedLog(Listener listener) {
            super(listener);
        }

        @Override
        public synchronized void reinitializeTo(long index, LogEntry entry) {
            long before = lastAppended();
            super.reinitializeTo(index, entry);
            if (before > index) {
                erased.add("(" + before + ", " + index + ")");
            }
        }
    }

    /**
     * Just above the transport: drops the appends a member receives while {@link #lagging}, keeps the first snapshot
     * it receives, and hands that one to RAFT once more on {@link #replay()}.
     */
    public static final class SnapshotReplay extends MessageDropper {

        static {
            ClassConfigurator.addProtocol((short) 1695, SnapshotReplay.class);
        }

        volatile boolean lagging;
        volatile Message first;

        SnapshotReplay() {
            drop = this::drops;
        }

        long lastIncludedIndex() throws ReflectiveOperationException {
            var field = InstallSnapshotRequest.class.getDeclaredField("last_included_index");
            field.setAccessible(true);
            return field.getLong(first.getHeader(raftId));
        }

        void replay() {
            RAFT.findProtocol(RAFT.class, this, false).up(first.copy(true, true));
        }

        private boolean drops(Message message) {
            if (message.getHeader(raftId) instanceof InstallSnapshotRequest && first == null) {
                first = message.copy(true, true);
            }
            return lagging && message.getHeader(raftId) instanceof AppendEntriesRequest;
        }
    }
}
