package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jgroups.Event;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.AppendEntriesRequest;
import org.jgroups.protocols.raft.AppendEntriesResponse;
import org.jgroups.protocols.raft.InstallSnapshotRequest;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;

/**
 * A member that rejoins after the leader compacted its log past the member's last entry gets the leader's snapshot,
 * and it can get it while its own channel is still connecting: jgroups-raft handles messages as soon as the member
 * has joined, before {@code connect} returns. That snapshot holds the live holder's latest lease and must count as
 * stored when it is installed. (Counted only after {@code connect} returned, it was not counted at all: the member
 * waited only for the older lease it had on disk, counted at its reopening, and could claim that much earlier than
 * the holder's lease allows.)
 */
class ASnapshotInstalledWhileConnectingCountsTest {

    private static final Duration LEASE = Duration.ofSeconds(20);
    private static final Duration BOUND = Duration.ofSeconds(90);

    @Test
    void aSnapshotTheLeaderInstallsBeforeTheConnectReturnsCountsAsStoredWhenInstalled() throws Exception {
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            group.startAll("a", "b", "c");
            LocalGroup.Member holder = await("one leader").atMost(BOUND).until(group::settledLeader, Optional::isPresent)
                    .orElseThrow();
            LocalGroup.Member away = group.running.stream().filter(m -> m != holder).findFirst().orElseThrow();
            await("the holder's lease stored by " + away).atMost(BOUND)
                    .until(() -> away.member().takeover().blocking(away.election.owner())
                            .filter(s -> s.entry().owner().equals(holder.election.owner())).isPresent());
            long lastWhileThere = away.member().log().lastAppended();
            away.stop();

            // entries the member misses (releases from an owner that never led: they change nothing), then a
            // compaction: the leader has to send it a snapshot
            long term = holder.member().leaderTerm();
            for (int i = 0; i < 3; i++) {
                holder.member().submit(LeaseEntry.release(LocalGroup.INSTANCE, "ghost", "ghost-owner", term).encode())
                        .get(10, TimeUnit.SECONDS);
            }
            holder.member().snapshot();
            assertThat(holder.member().log().firstAppended()).as("the leader's log begins after the member's")
                    .isGreaterThan(lastWhileThere + 1);

            // the member comes back; its connect returns only once it has installed the leader's snapshot, and no
            // entry reaches it after that snapshot until the check, so the snapshot is all it can count
            SnapshotWatch watch = new SnapshotWatch();
            ConnectHeldUntilInstalled hold = new ConnectHeldUntilInstalled(watch);
            LocalGroup.Member back = group.start(group.create(away.name, LocalGroup.Options.defaults().protocols(list -> {
                List<Protocol> all = new ArrayList<>(list);
                all.add(1, watch);
                all.add(hold);
                return all;
            })));
            assertThat(watch.acknowledged.getCount()).as("the leader installed its snapshot while the member connected")
                    .isZero();
            assertThat(back.member().takeover().blocking(back.election.owner()))
                    .as("what makes the member wait, after the snapshot installed at %d", watch.installedAt.get())
                    .hasValueSatisfying(stored -> {
                        assertThat(stored.entry().owner()).isEqualTo(holder.election.owner());
                        assertThat(stored.storedAt()).isGreaterThanOrEqualTo(watch.installedAt.get());
                    });

            watch.holdEntries = false;
            assertThat(holder.leads()).isTrue();
            group.assertSafe();
        }
    }

    /**
     * Just above the transport: notes when a snapshot arrives and when its acknowledgement leaves (after the state
     * machine has read it), and drops the appends that follow it while {@link #holdEntries} is set.
     */
    public static final class SnapshotWatch extends MessageDropper {

        static {
            ClassConfigurator.addProtocol((short) 1693, SnapshotWatch.class);
        }

        final AtomicLong installedAt = new AtomicLong();
        final CountDownLatch acknowledged = new CountDownLatch(1);
        volatile boolean holdEntries = true;

        SnapshotWatch() {
            drop = this::drops;
        }

        /** Whether to drop an incoming message; notes a snapshot. */
        private boolean drops(Message message) {
            if (message.getHeader(raftId) instanceof InstallSnapshotRequest) {
                installedAt.compareAndSet(0, System.nanoTime());
                return false;
            }
            return holdEntries && installedAt.get() != 0 && message.getHeader(raftId) instanceof AppendEntriesRequest;
        }

        @Override
        public Object down(Message message) {
            if (installedAt.get() != 0 && message.getHeader(raftId) instanceof AppendEntriesResponse) {
                acknowledged.countDown();
            }
            return down_prot.down(message);
        }
    }

    /** At the top of the stack: the channel's connect returns once the snapshot was acknowledged (or after 60 s). */
    public static final class ConnectHeldUntilInstalled extends Protocol {

        static {
            ClassConfigurator.addProtocol((short) 1694, ConnectHeldUntilInstalled.class);
        }

        private final SnapshotWatch watch;

        ConnectHeldUntilInstalled(SnapshotWatch watch) {
            this.watch = watch;
        }

        @Override
        public Object down(Event event) {
            Object result = down_prot.down(event);
            if (event.getType() == Event.CONNECT || event.getType() == Event.CONNECT_WITH_STATE_TRANSFER) {
                try {
                    watch.acknowledged.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return result;
        }
    }
}
