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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jgroups.Message;
import org.jgroups.ObjectMessage;
import org.jgroups.protocols.raft.AppendEntriesRequest;
import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;
import org.junit.jupiter.api.Test;

/**
 * A leader cut off right after it appended an entry keeps that entry, uncommitted, in its log. The others elect a new
 * leader whose log ends at the old leader's commit index; the old leader comes back as a follower. The new leader
 * resends its last entry, which is at or below the returning member's commit index: jgroups-raft 1.1.3 then
 * acknowledged the member's whole log, the old entry included, as the new leader's. When the new leader's next entry
 * was committed and its commit message overtook the append of that entry to the returning member (multicast and
 * unicast are separate channels), the member committed and applied its old entry in its place, an entry no majority
 * ever held, and kept it for good: the late append was below its commit index and ignored. The member must commit and
 * acknowledge only what it knows to be the leader's.
 */
class AnOldLeadersUncommittedEntryIsNeitherAppliedNorAcknowledgedTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final String GHOST = "ghost-owner";

    @Test
    void theReturningMemberReplacesItWithTheNewLeadersEntryAndNeverAppliesIt() throws Exception {
        Map<String, MessageDropper> drops = new ConcurrentHashMap<>();
        try (LocalGroup group = new LocalGroup(List.of("a", "b", "c"), LEASE)) {
            List<LocalGroup.Member> created = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                created.add(group.create(name, withDropper(name, drops)));
            }
            group.startAll(created);
            LocalGroup.Member old = await("one leader").atMost(BOUND).until(group::settledLeader, Optional::isPresent)
                    .orElseThrow();
            await("the leader's Raft role").atMost(BOUND).until(() -> old.member().raft().isLeader());
            long k = old.member().log().lastAppended();
            for (LocalGroup.Member m : group.running) {
                await("index " + k + " committed on " + m).atMost(BOUND)
                        .until(() -> m.member().log().lastAppended() == k && m.member().raft().commitIndex() == k);
            }
            long oldTerm = old.member().raft().currentTerm();

            // 1. the leader is cut off right after it appended an entry of its own, which no one else will have
            old.cut();
            old.member().submit(LeaseEntry.lease(LocalGroup.INSTANCE, "ghost", GHOST, oldTerm, LEASE.toMillis())
                    .encode());
            await("the cut-off leader appended").atMost(BOUND).until(() -> old.member().log().lastAppended() > k);
            long stale = k + 1;

            // 2. the others elect a new leader, whose log ends at k
            List<LocalGroup.Member> others = group.running.stream().filter(m -> m != old).toList();
            LocalGroup.Member leader = await("a new Raft leader").atMost(BOUND)
                    .until(() -> others.stream().filter(m -> m.member().raft().isLeader()
                            && m.member().raft().currentTerm() > oldTerm).findFirst(), Optional::isPresent)
                    .orElseThrow();
            long newTerm = leader.member().raft().currentTerm();

            // 3. the old leader comes back as a follower; the first append that carries index k + 1 to it, if one
            // reaches it (jgroups-raft sends none once it counts the member as holding k + 1), is overtaken by the
            // next commit message, or held for 2 s if none comes
            old.stop();
            Overtaken overtaken = new Overtaken(k);
            LocalGroup.Member back = group.create(old.name, LocalGroup.Options.defaults().protocols(list -> {
                List<Protocol> all = new ArrayList<>(list);
                all.add(all.size() - 1, overtaken); // directly below RAFT, above the reliable channels
                return all;
            }));
            assertThat(leader.member().log().lastAppended()).as("the new leader's log ends at the old commit index")
                    .isEqualTo(k);
            group.start(back);
            assertThat(back.member().log().lastAppended()).as("the old entry is back").isGreaterThanOrEqualTo(stale);
            await(back + " follows the new leader").atMost(BOUND).until(() -> back.member().raft().currentTerm() == newTerm
                    && leader.member().raft().commitTable().get(back.member().channel().getAddress()) != null
                    && leader.member().raft().commitTable().get(back.member().channel().getAddress())
                            .matchIndex() >= k);

            // 4. the new leader appends, and commits with the third member
            leader.member().submit(LeaseEntry.release(LocalGroup.INSTANCE, "ghost", GHOST, newTerm).encode())
                    .get(30, TimeUnit.SECONDS);
            await(back + " holds the new leader's entry at " + stale).atMost(Duration.ofSeconds(20))
                    .until(() -> back.member().log().get(stale).term() == newTerm);
            assertThat(back.member().applied().lease().owner()).as("what %s applied", back).isNotEqualTo(GHOST);
            assertThat(((GuardedRaft) back.member().raft()).acknowledgementsCapped()).isGreaterThanOrEqualTo(1);
            group.assertSafe();
        }
    }

    private static LocalGroup.Options withDropper(String name, Map<String, MessageDropper> drops) {
        MessageDropper drop = new MessageDropper();
        drops.put(name, drop);
        return LocalGroup.Options.defaults().protocols(list -> {
            List<Protocol> all = new ArrayList<>(list);
            all.add(1, drop);
            return all;
        });
    }

    /**
     * Directly below RAFT: holds the first append that carries entries after index {@code k} until a commit-only
     * message has gone up after it, or for 2 s.
     */
    public static final class Overtaken extends Protocol {

        static {
            org.jgroups.conf.ClassConfigurator.addProtocol((short) 1696, Overtaken.class);
        }

        private final long k;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final AtomicBoolean released = new AtomicBoolean();
        volatile Message held;
        private short raftId;

        Overtaken(long k) {
            this.k = k;
        }

        @Override
        public void init() throws Exception {
            super.init();
            raftId = org.jgroups.protocols.raft.RAFT.findProtocol(org.jgroups.protocols.raft.RAFT.class, this, false)
                    .getId();
        }

        private boolean holds(Message message) {
            if (held == null && message.getHeader(raftId) instanceof AppendEntriesRequest request
                    && carries(message, request, k)) {
                held = message;
                timer.schedule(this::release, 2, TimeUnit.SECONDS);
                return true;
            }
            return false;
        }

        private boolean isCommitOnly(Message message) {
            return message.getHeader(raftId) instanceof AppendEntriesRequest
                    && !(message instanceof ObjectMessage object && object.getObject() instanceof LogEntries entries
                            && entries.size() > 0);
        }

        private void release() {
            if (held != null && released.compareAndSet(false, true)) {
                up_prot.up(held);
            }
        }

        @Override
        public Object up(Message message) {
            if (holds(message)) {
                return null;
            }
            Object result = up_prot.up(message);
            if (isCommitOnly(message)) {
                release();
            }
            return result;
        }

        @Override
        public void up(MessageBatch batch) {
            boolean commitOnly = false;
            for (Iterator<Message> it = batch.iterator(); it.hasNext();) {
                Message message = it.next();
                if (holds(message)) {
                    it.remove();
                } else {
                    commitOnly |= isCommitOnly(message);
                }
            }
            if (!batch.isEmpty()) {
                up_prot.up(batch);
            }
            if (commitOnly) {
                release();
            }
        }

        @Override
        public void destroy() {
            timer.shutdownNow();
            super.destroy();
        }
    }

    /** Whether an append carries the entry at index {@code k + 1}. */
    private static boolean carries(Message message, AppendEntriesRequest request, long k) {
        if (!(message instanceof ObjectMessage object) || !(object.getObject() instanceof LogEntries entries)
                || entries.size() == 0) {
            return false;
        }
        try {
            var field = AppendEntriesRequest.class.getDeclaredField("prev_log_index");
            field.setAccessible(true);
            long prev = field.getLong(request);
            return prev <= k && k < prev + entries.size();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
