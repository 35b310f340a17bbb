package io.github.quarkuspeer.runtime.global;

import java.io.DataInput;
import java.io.DataOutput;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;
import org.jgroups.protocols.raft.PersistentState;
import org.jgroups.raft.StateMachine;
import org.jgroups.util.ByteArrayDataInputStream;

/**
 * The replicated state of an instance's group: the last lease applied, with whether its owner released it.
 * <p>
 * jgroups-raft calls it on its single runner thread for live commits (leader and followers), when a follower installs
 * a leader's snapshot, and on the thread that connects the channel for the replay from disk. It never throws from
 * {@link #apply}: jgroups-raft 1.1.3 would swallow the exception and count the entry as applied all the same, so a
 * malformed entry is a no-op that is counted and logged once. A release counts only for the owner that holds the
 * lease; from any other owner it changes nothing.
 * <p>
 * This node's applied count is its own: {@code RaftHandle.lastApplied()} returns the last <em>appended</em> index in
 * jgroups-raft 1.1.3, so nothing here or elsewhere asks it.
 */
public final class LeaseStateMachine implements StateMachine {

    private static final Logger LOG = Logger.getLogger(LeaseStateMachine.class);

    /**
     * The state after the last applied entry.
     *
     * @param lease the last lease applied
     * @param released whether its owner released it since
     * @param appliedAt when this node applied it ({@link System#nanoTime()}); from a snapshot or the replay at
     *        start, when it was read
     */
    public record Applied(LeaseEntry lease, boolean released, long appliedAt) {
    }

    private final LongSupplier clock;
    private final Takeover takeover;
    private final Runnable holderChanged;
    private volatile Applied applied;
    /**
     * Whether the next snapshot read is RAFT's replay of this member's own snapshot on disk, which {@link RaftMember}
     * already counted, before the log it precedes. jgroups-raft reads that snapshot, if there is one, before it starts
     * handling messages, so it is always the first read; every other read is a snapshot a leader installs, which
     * counts as stored when read, whenever it arrives (during the connect too).
     */
    private final AtomicBoolean ownSnapshotUnread = new AtomicBoolean();
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    /**
     * @param clock the monotonic clock
     * @param takeover hears the lease of every snapshot this state machine reads, as stored when it is read
     * @param holderChanged told, on RAFT's thread, when a lease of another owner than the last one, or a release, is
     *        applied; must return at once
     */
    public LeaseStateMachine(LongSupplier clock, Takeover takeover, Runnable holderChanged) {
        this.clock = clock;
        this.takeover = takeover;
        this.holderChanged = holderChanged;
    }

    /** The state after the last applied entry, or {@code null} if no lease was ever applied. */
    public Applied applied() {
        return applied;
    }

    /** How many entries this node applied since it opened the log, snapshots not counted. */
    public long appliedCount() {
        return count.get();
    }

    @Override
    public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) {
        LeaseEntry entry;
        try {
            entry = LeaseEntry.decode(data, offset, length);
        } catch (Exception e) {
            if (malformed.getAndIncrement() == 0) {
                LOG.warnf("Quarkus Peer: ignored a log entry that is not a lease (%s); further ones are counted only",
                        e.getMessage());
            }
            return null;
        }
        count.incrementAndGet();
        Applied current = applied;
        if (entry.released()) {
            if (current != null && current.lease().owner().equals(entry.owner())) {
                applied = new Applied(current.lease(), true, current.appliedAt());
                holderChanged.run();
            }
        } else {
            applied = new Applied(entry, false, clock.getAsLong());
            if (current == null || current.released() || !current.lease().owner().equals(entry.owner())) {
                holderChanged.run();
            }
        }
        return null;
    }

    /**
     * Says that this member's data directory holds a snapshot, which RAFT replays first when it starts: that one read
     * is not counted again. Call it before the channel connects, after counting the directory's contents.
     */
    void expectOwnSnapshot() {
        ownSnapshotUnread.set(true);
    }

    @Override
    public void readContentFrom(DataInput in) throws Exception {
        boolean replay = ownSnapshotUnread.getAndSet(false);
        Applied read = null;
        if (in.readBoolean()) {
            LeaseEntry lease = LeaseEntry.readFrom(in);
            boolean released = in.readBoolean();
            long now = clock.getAsLong();
            read = new Applied(lease, released, now);
            if (!replay) {
                feed(takeover, lease, released, now);
            }
        }
        applied = read; // a snapshot replaces the state
    }

    /** The lease of a snapshot, and its release if it was released, as stored at {@code now}. */
    static void feed(Takeover takeover, LeaseEntry lease, boolean released, long now) {
        takeover.stored(lease, now);
        if (released) {
            takeover.stored(LeaseEntry.release(lease.instance(), lease.node(), lease.owner(), lease.term()), now);
        }
    }

    /**
     * Counts the lease of a snapshot as RAFT stores it on disk (its persistent state first, then this state
     * machine's content) as stored at {@code now}.
     */
    static void feedSnapshot(Takeover takeover, ByteBuffer snapshot, long now) throws Exception {
        ByteArrayDataInputStream in = new ByteArrayDataInputStream(snapshot);
        new PersistentState().readFrom(in);
        if (in.readBoolean()) {
            LeaseEntry lease = LeaseEntry.readFrom(in);
            feed(takeover, lease, in.readBoolean(), now);
        }
    }

    @Override
    public void writeContentTo(DataOutput out) throws Exception {
        Applied current = applied;
        out.writeBoolean(current != null);
        if (current != null) {
            current.lease().writeTo(out);
            out.writeBoolean(current.released());
        }
    }
}
